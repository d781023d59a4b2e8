"""Running as a service: the scheduled deployment, the one-run-per-warehouse guard and the serve command."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, copy_published

pytestmark = pytest.mark.slow

RURALPULSE = Path(sys.executable).with_name("ruralpulse")
BUSY = "another ruralpulse run is active"
HOLD_LOCK = """
import sys, time
from pathlib import Path
from flows.warehouse import RunLock, WarehouseLayout
RunLock(WarehouseLayout(Path(sys.argv[1]))).__enter__()
print("locked", flush=True)
time.sleep(600)
"""


def fingerprint(path: Path) -> tuple[str, int, int]:
    """Content hash, inode and mtime: a replaced or rewritten file changes at least one."""
    info = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), info.st_ino, info.st_mtime_ns


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a ruralpulse subprocess: no server configured, Prefect state in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return {**env, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra}


@pytest.fixture(scope="module")
def published_seeds(seed_run, tmp_path_factory) -> tuple[Path, Path]:
    """The seeds and a warehouse published from them: this module's copy of the session's seed run."""
    return copy_published(seed_run, tmp_path_factory.mktemp("service"))


@pytest.fixture()
def lock_holder(published_seeds):
    """Start a process holding the run lock of a published warehouse; yields (popen, source, warehouse)."""
    source, warehouse = published_seeds
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = holder.stdout.readline()
        assert line.strip() == "locked", (line, holder.poll(), holder.stderr.read() if holder.poll() else "")
        yield holder, source, warehouse
    finally:
        holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()
        holder.stderr.close()


def test_schedule_is_registered_with_its_cron_and_a_limit_of_one_run(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.schedules import CronSchedule

    from flows.cli import flow_parameters
    from flows.pipeline import DEPLOYMENT_NAME, FLOW_NAME, scheduled_deployment

    params = flow_parameters(str(SEEDS), str(tmp_path / "ruralpulse.duckdb"), workers=1)
    deployment_id = scheduled_deployment("*/5 * * * *", params).apply()
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(f"{FLOW_NAME}/{DEPLOYMENT_NAME}")
        # Nobody serves it here: remove it so its schedule leaves no runs in the shared test server.
        client.delete_deployment(deployment_id)
    assert deployment.id == deployment_id
    assert [type(s.schedule) for s in deployment.schedules] == [CronSchedule]
    assert deployment.schedules[0].schedule.cron == "*/5 * * * *" and deployment.schedules[0].active
    # Prefect 3.9 keeps a deployment's limit as a global concurrency limit; the old field always reads None.
    assert deployment.global_concurrency_limit is not None
    assert deployment.global_concurrency_limit.limit == 1 and deployment.global_concurrency_limit.active
    assert deployment.parameters == params
    # A served run starts in the runner's working directory, so the paths it gets must not depend on it.
    assert all(Path(deployment.parameters[key]).is_absolute() for key in ("source", "warehouse", "sql_dir"))


def test_busy_warehouse_cli_exits_3_and_leaves_the_file(lock_holder, tmp_path):
    holder, source, warehouse = lock_holder
    before = fingerprint(warehouse)
    done = subprocess.run(
        [str(RURALPULSE), "run", "--source", str(source), "--warehouse", str(warehouse), "--workers", "1"],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert BUSY in done.stderr and f"pid {holder.pid}" in done.stderr, done.stderr
    assert fingerprint(warehouse) == before


def test_busy_warehouse_flow_fails_with_the_reason_and_leaves_the_file(lock_holder, run_pipeline):
    holder, source, warehouse = lock_holder
    before = fingerprint(warehouse)
    state = run_pipeline(source, warehouse)
    assert state.is_failed()
    assert BUSY in state.message and f"pid {holder.pid}" in state.message, state.message
    assert fingerprint(warehouse) == before
    work = warehouse.parent / f".{warehouse.name}.work"
    assert not any((work / "builds").iterdir()) and not any((work / "scratch").iterdir())


def test_lock_of_a_killed_run_is_released_by_the_kernel(lock_holder, run_pipeline):
    holder, source, warehouse = lock_holder
    assert run_pipeline(source, warehouse).is_failed()
    holder.kill()  # SIGKILL: no exit handler runs, only the kernel can release the flock
    holder.wait(timeout=30)
    state = run_pipeline(source, warehouse)
    assert state.is_completed(), state.message
    assert state.result().published


def test_serve_without_a_server_says_what_to_do(tmp_path):
    done = subprocess.run(
        [str(RURALPULSE), "serve", "--cron", "*/5 * * * *"],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "PREFECT_API_URL" in done.stderr and "ruralpulse server" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
