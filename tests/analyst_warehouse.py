"""One warehouse built by the real flow from seeds/ and tests/articles/docs, shared by the analyst-layer tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXPECTATIONS, ROOT, SEEDS, SQL_DIR

ARTICLES = ROOT / "tests" / "articles" / "docs"
_built: dict[str, Path] = {}


def analyst_warehouse(tmp_path_factory) -> Path:
    """Build once per session (the flow takes a minute); callers must hold the prefect_server fixture."""
    if "path" not in _built:
        from flows.pipeline import ruralpulse_run

        root = tmp_path_factory.mktemp("analyst")
        source = root / "source"
        shutil.copytree(SEEDS, source)
        for path in ARTICLES.iterdir():
            shutil.copy(path, source / path.name)
        warehouse = root / "warehouse" / "ruralpulse.duckdb"
        state = ruralpulse_run(
            source=str(source),
            warehouse=str(warehouse),
            sql_dir=str(SQL_DIR),
            expectations_dir=str(EXPECTATIONS),
            workers=2,
            batches=4,
            max_bytes=5 * 1024 * 1024,
            return_state=True,
        )
        assert state.is_completed(), state.message
        assert state.result().published
        _built["path"] = warehouse
    return _built["path"]
