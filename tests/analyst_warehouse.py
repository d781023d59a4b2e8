"""One warehouse built by the real flow from seeds/ and tests/articles/docs, shared by the analyst-layer tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT, SEEDS, run_flow

ARTICLES = ROOT / "tests" / "articles" / "docs"
_built: dict[str, Path] = {}


def analyst_warehouse(tmp_path_factory) -> Path:
    """Build once per session (the flow takes a minute); callers must hold the prefect_server fixture."""
    if "path" not in _built:
        root = tmp_path_factory.mktemp("analyst")
        source = root / "source"
        shutil.copytree(SEEDS, source)
        for path in ARTICLES.iterdir():
            shutil.copy(path, source / path.name)
        warehouse = root / "warehouse" / "ruralpulse.duckdb"
        state = run_flow(source, warehouse, workers=2, batches=4)
        assert state.is_completed(), state.message
        assert state.result().published
        _built["path"] = warehouse
    return _built["path"]
