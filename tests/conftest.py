"""Shared fixtures: one Prefect test server for the whole session, quiet and offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SQL_DIR = ROOT / "sql"
EXPECTATIONS = ROOT / "expectations"


@pytest.fixture(scope="session")
def prefect_server():
    """A real, temporary Prefect API server and database, started once per test session."""
    import functools
    from unittest import mock

    import httpx
    from prefect.testing.utilities import prefect_test_harness

    # Generous: the first start migrates a new database, slow on a loaded 2-core machine. Prefect polls the new
    # server's health with httpx's 5 s read timeout and gives up on the first read that takes longer (a busy server
    # accepts the connection but answers late), so its polling client gets a longer one while the server starts.
    patient_client = functools.partial(httpx.Client, timeout=60)
    with mock.patch("prefect.server.api.server.httpx.Client", patient_client):
        harness = prefect_test_harness(server_startup_timeout=240)
        harness.__enter__()
    try:
        yield
    finally:
        harness.__exit__(None, None, None)


def run_flow(source: Path, warehouse: Path, *, expectations: Path = EXPECTATIONS, **options):
    """Run the real flow against the active Prefect server (a fixture must provide one); returns its final state."""
    from flows.pipeline import ruralpulse_run

    params = {"workers": 2, "batches": 4, "max_bytes": 5 * 1024 * 1024, **options}
    return ruralpulse_run(
        source=str(source),
        warehouse=str(warehouse),
        sql_dir=str(SQL_DIR),
        expectations_dir=str(expectations),
        return_state=True,
        **params,
    )


@pytest.fixture(scope="session")
def seed_run(prefect_server, tmp_path_factory):
    """One flow run on a copy of seeds/ into a new warehouse, for the whole session: (final state, source, warehouse).

    Read it as it is, or take a private copy with copy_published before changing anything.
    """
    root = tmp_path_factory.mktemp("seed-run")
    source = root / "source"
    shutil.copytree(SEEDS, source)
    warehouse = root / "wh" / "ruralpulse.duckdb"
    return run_flow(source, warehouse), source, warehouse


def copy_published(seed_run, target: Path) -> tuple[Path, Path]:
    """Copy the seed run's source (mtimes kept: unchanged for a rerun) and warehouse folder into target."""
    state, source, warehouse = seed_run
    assert state.is_completed(), state.message
    shutil.copytree(source, target / "source")
    shutil.copytree(warehouse.parent, target / "wh")
    return target / "source", target / "wh" / warehouse.name


@pytest.fixture()
def run_pipeline(prefect_server):
    """The real flow, for tests: run_pipeline(source, warehouse, **options) -> final Prefect state."""
    return run_flow


@pytest.fixture()
def seed_copy(tmp_path) -> Path:
    """A private copy of seeds/ that a test may change."""
    target = tmp_path / "source"
    shutil.copytree(SEEDS, target)
    return target
