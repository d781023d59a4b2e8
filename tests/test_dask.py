"""Extraction on a real Dask cluster: scheduler and workers as separate processes on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import EXPECTATIONS, SQL_DIR

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def dask_cluster(tmp_path):
    """A scheduler and two single-threaded worker processes, each its own OS process."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    worker = subprocess.Popen(
        [
            BIN / "dask",
            "worker",
            address,
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
            "--local-directory",
            str(tmp_path / "dask"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    try:
        client = Client(address, timeout=60)
        deadline = time.monotonic() + 90
        while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        yield address, client
        client.close()
    finally:
        for proc in (worker, scheduler):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_flow_extracts_on_dask_workers(prefect_server, dask_cluster, tmp_path):
    from prefect_dask import DaskTaskRunner

    from flows.pipeline import ruralpulse_run

    address, client = dask_cluster
    worker_pids = set(client.run(os.getpid).values())
    assert len(worker_pids) == 2
    warehouse = tmp_path / "ruralpulse.duckdb"
    flow = ruralpulse_run.with_options(task_runner=DaskTaskRunner(address=address))
    state = flow(
        source=str(Path("tests/articles/docs").resolve()),
        warehouse=str(warehouse),
        sql_dir=str(SQL_DIR),
        expectations_dir=str(EXPECTATIONS),
        workers=1,
        batches=4,
        max_bytes=5 * 1024 * 1024,
        extract_on="task-runner",
        return_state=True,
    )
    assert state.is_completed(), state.message
    summary = state.result()
    assert summary.published
    assert summary.extraction_pids and set(summary.extraction_pids) <= worker_pids
    assert os.getpid() not in summary.extraction_pids
    con = duckdb.connect(str(warehouse), read_only=True)
    docs = con.execute("select count(*) from marts.dim_document").fetchone()[0]
    metrics = con.execute("select count(*) from marts.fct_metric").fetchone()[0]
    con.close()
    assert docs == len(list(Path("tests/articles/docs").glob("*.txt")))
    assert metrics > 0
