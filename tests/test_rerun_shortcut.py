"""The CLI's answer to a rerun on an unchanged source, without Prefect: the flow's answer, or none at all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest

from flows import cli
from flows.faults import CRASH_ENV
from flows.sqlmodels import load_models
from flows.summary import ALREADY_CURRENT, already_current, build_inputs_version
from flows.warehouse import RunAlreadyActive, RunLock, WarehouseLayout, is_compatible, read_meta
from tests.conftest import EXPECTATIONS, ROOT, SEEDS, SQL_DIR, copy_published

RURALPULSE = Path(sys.executable).with_name("ruralpulse")
# What differs between two runs that found the same answer: their id and when they ran.
RUN_FIELDS = {"run_id", "started_at", "finished_at"}


def log_lines(layout: WarehouseLayout) -> list[dict]:
    return [json.loads(line) for line in layout.run_log.read_text().splitlines()] if layout.run_log.exists() else []


def scratch_entries(layout: WarehouseLayout) -> list[Path]:
    return list(layout.scratch_root.iterdir()) if layout.scratch_root.exists() else []


@pytest.mark.slow
def test_an_unchanged_copy_is_answered_as_the_flow_answers_it(seed_run, run_pipeline, tmp_path):
    source, warehouse = copy_published(seed_run, tmp_path)
    layout = WarehouseLayout(warehouse)
    published, history = warehouse.read_bytes(), log_lines(layout)

    summary = already_current(source, layout, load_models(SQL_DIR), EXPECTATIONS)

    assert summary is not None
    assert (summary.message, summary.validation, summary.published) == (ALREADY_CURRENT, "unchanged", True)
    assert (summary.documents, summary.documents_unchanged, summary.documents_new) == (1, 1, 0)
    assert summary.entities > 0 and summary.metrics > 0 and summary.finished_at >= summary.started_at
    assert warehouse.read_bytes() == published
    assert log_lines(layout) == [*history, json.loads(json.dumps(summary.history_row(), default=str))]
    assert scratch_entries(layout) == []

    state = run_pipeline(source, warehouse)  # the flow, on the same source and warehouse, right after

    flow_summary = state.result()
    assert flow_summary.message == ALREADY_CURRENT
    ours = {k: v for k, v in asdict(summary).items() if k not in RUN_FIELDS}
    assert ours == {k: v for k, v in asdict(flow_summary).items() if k not in RUN_FIELDS}
    assert warehouse.read_bytes() == published


def touch_file(source: Path, warehouse: Path, tmp_path: Path) -> dict:
    article = next(source.glob("*.txt"))
    stat = article.stat()
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # same bytes, a new mtime
    return {}


def add_file(source: Path, warehouse: Path, tmp_path: Path) -> dict:
    (source / "new.txt").write_text("title: New\n\nFarmers in Luoxi planted 3,400 pear trees in 2024.\n")
    return {}


def remove_file(source: Path, warehouse: Path, tmp_path: Path) -> dict:
    next(source.glob("*.txt")).unlink()
    return {}


def edit_sql(source: Path, warehouse: Path, tmp_path: Path) -> dict:
    sql = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql)
    with (sql / "marts" / "dim_document.sql").open("a") as fh:
        fh.write("\n-- edited\n")
    models = load_models(sql)
    # Only the build inputs differ: the published layout still fits these models.
    assert is_compatible(read_meta(warehouse), models)
    assert build_inputs_version(models, EXPECTATIONS) != build_inputs_version(load_models(SQL_DIR), EXPECTATIONS)
    return {"models": models}


def edit_expectations(source: Path, warehouse: Path, tmp_path: Path) -> dict:
    expectations = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS, expectations)
    suite = expectations / "fct_metric.json"
    suite.write_text(suite.read_text() + "\n")
    return {"expectations": expectations}


def make_incompatible(source: Path, warehouse: Path, tmp_path: Path) -> dict:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update ops.meta set value = '0' where key = 'warehouse_format'")
    return {}


CHANGES = [touch_file, add_file, remove_file, edit_sql, edit_expectations, make_incompatible]


@pytest.mark.slow
@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_anything_the_flow_could_act_on_is_left_to_the_flow(seed_run, tmp_path, change):
    source, warehouse = copy_published(seed_run, tmp_path)
    layout = WarehouseLayout(warehouse)
    options = change(source, warehouse, tmp_path)
    published, history = warehouse.read_bytes(), log_lines(layout)

    result = already_current(
        source, layout, options.get("models") or load_models(SQL_DIR), options.get("expectations", EXPECTATIONS)
    )

    assert result is None
    assert warehouse.read_bytes() == published
    assert log_lines(layout) == history
    assert scratch_entries(layout) == []


def test_a_missing_warehouse_is_left_to_the_flow_and_nothing_is_created(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh" / "ruralpulse.duckdb")

    assert already_current(SEEDS, layout, load_models(SQL_DIR), EXPECTATIONS) is None
    assert not layout.published.parent.exists()


@pytest.mark.slow
def test_a_source_with_a_rejected_file_is_left_to_the_flow(seed_run, run_pipeline, tmp_path):
    """Stricter than the flow: a rejected file is read again by every run, so the flow decides, and finds it current."""
    source, warehouse = copy_published(seed_run, tmp_path)
    (source / "blank.txt").write_text("")
    assert run_pipeline(source, warehouse).result().documents_rejected == 1  # the rejection is published
    layout = WarehouseLayout(warehouse)
    history = log_lines(layout)

    assert already_current(source, layout, load_models(SQL_DIR), EXPECTATIONS) is None
    assert log_lines(layout) == history
    assert run_pipeline(source, warehouse).result().message == ALREADY_CURRENT


@pytest.mark.slow
def test_a_held_lock_is_reported_and_nothing_is_logged(seed_run, tmp_path):
    source, warehouse = copy_published(seed_run, tmp_path)
    layout = WarehouseLayout(warehouse)
    history = log_lines(layout)

    with RunLock(layout), pytest.raises(RunAlreadyActive):
        already_current(source, layout, load_models(SQL_DIR), EXPECTATIONS)
    assert log_lines(layout) == history


@pytest.mark.slow
def test_the_cli_answers_an_unchanged_rerun_without_a_prefect_server(seed_run, tmp_path):
    source, warehouse = copy_published(seed_run, tmp_path)
    layout = WarehouseLayout(warehouse)
    history = log_lines(layout)
    home = tmp_path / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != CRASH_ENV}
    env |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    argv = [str(RURALPULSE), "run", "--source", str(source), "--warehouse", str(warehouse), "--workers", "1"]

    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stderr[-3000:]
    assert f"ruralpulse: {ALREADY_CURRENT}; no Prefect flow run was started" in done.stdout
    assert "published     yes" in done.stdout
    assert "Beginning flow run" not in done.stdout + done.stderr
    assert not (home / "prefect.db").exists(), "a Prefect server was started"
    assert [run["message"] for run in log_lines(layout)[len(history) :]] == [ALREADY_CURRENT]


class FlowPath(Exception):
    """Raised where command_run would start the temporary Prefect server for a flow run."""


@pytest.mark.parametrize(
    ("extra", "api_url", "shortcut"),
    [
        ([], "", True),
        (["--full-refresh"], "", False),
        ([], "http://127.0.0.1:4200/api", False),
    ],
    ids=["temporary-server", "full-refresh", "long-running-server"],
)
def test_the_shortcut_is_only_tried_where_a_temporary_server_would_run(monkeypatch, tmp_path, extra, api_url, shortcut):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    monkeypatch.setenv("PREFECT_API_URL", api_url)
    tried = []
    monkeypatch.setattr(cli, "run_if_already_current", lambda args, source: tried.append(source) or 0)
    monkeypatch.setattr(cli, "start_temporary_api_if_unset", lambda: (_ for _ in ()).throw(FlowPath()))
    monkeypatch.setattr(cli, "configured_api_url", lambda: api_url)
    args = cli.build_parser().parse_args(["run", "--source", str(SEEDS), "--warehouse", str(tmp_path / "w.duckdb")])
    args.full_refresh = "--full-refresh" in extra

    if shortcut:
        assert cli.command_run(args) == 0
    else:
        with pytest.raises(FlowPath):
            cli.command_run(args)
    assert len(tried) == int(shortcut)


def test_an_api_url_in_the_active_profile_or_prefect_toml_counts_as_configured(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert not cli.api_url_may_be_configured()

    profiles = tmp_path / "profiles.toml"
    profiles.write_text('active = "ops"\n[profiles.ops]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n')
    assert cli.api_url_may_be_configured()
    monkeypatch.setenv("PREFECT_PROFILE", "other")
    assert not cli.api_url_may_be_configured()

    (tmp_path / "prefect.toml").write_text('[api]\nurl = "http://127.0.0.1:4200/api"\n')
    assert cli.api_url_may_be_configured()
