# Two commands on a fresh machine: `make run` (pipeline on seeds/) and `make test` (lint + tests).
VENV := .venv
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: env run test lint

env: $(VENV)/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	test -x $(UV) || (python3 -m venv $(VENV) && $(VENV)/bin/pip install -q --disable-pip-version-check uv==0.13.8)
	$(UV) sync --frozen
	touch $@

run: env
	$(VENV)/bin/ruralpulse run --source seeds --warehouse warehouse/ruralpulse.duckdb

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/sqlfluff lint sql

test: lint
	$(VENV)/bin/pytest
