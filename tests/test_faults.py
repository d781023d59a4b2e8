"""Nothing lost, nothing corrupt: runs killed with SIGKILL at every stage, failed validation, transient I/O errors."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.faults import CRASH_ENV, POINTS
from tests.conftest import EXPECTATIONS, ROOT, SEEDS, copy_published

pytestmark = pytest.mark.slow

RURALPULSE = Path(sys.executable).with_name("ruralpulse")
NEW_ARTICLES = {
    "new/one.txt": "title: Tea harvest\n\nThe Menghai cooperative sold 1,200 tonnes of tea in 2024, up 8%.\n",
    "new/two.txt": 'title: Bus line\n\n"We waited ten years," said Zhang Min, 54, a farmer in Gansu.\n',
    "new/three.md": "# Clinic\n\nThe county opened 14 clinics serving about 30,000 residents.\n",
}
# What a run killed at each point must leave behind, so the next run provably has something to clean up.
LEFTOVERS = {
    "ingest": set(),
    "extract": {"scratch"},
    "extract-batch": {"scratch"},
    "transform": {"scratch"},
    "validate": {"scratch", "builds"},
    "publish": {"scratch", "builds"},
    "publish-rename": {"scratch", "builds"},
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contents(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every table, through a fresh read-only connection (which fails on a corrupt file)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() order by schema_name, table_name"
        ).fetchall()
        return {
            f"{schema}.{table}": sorted(con.execute(f'select * from "{schema}"."{table}"').fetchall(), key=repr)
            for schema, table in tables
        }
    finally:
        con.close()


def work_entries(warehouse: Path) -> dict[str, list[str]]:
    """The private build files and scratch folders beside a warehouse."""
    work = warehouse.parent / f".{warehouse.name}.work"
    return {
        name: sorted(p.name for p in (work / name).iterdir()) if (work / name).exists() else []
        for name in ("builds", "scratch")
    }


@pytest.fixture(scope="module")
def published_once(seed_run) -> Path:
    """A warehouse published from seeds/ (the session's seed run), copied by each test."""
    state, _, warehouse = seed_run
    assert state.is_completed(), state.message
    return warehouse


@pytest.fixture(scope="module")
def api_env(prefect_server) -> dict[str, str]:
    """Environment for `ruralpulse` subprocesses: the session's test server, not an ephemeral one each."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    env.update(PREFECT_API_URL=PREFECT_API_URL.value(), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def changed_source(tmp_path: Path) -> Path:
    """seeds/ plus three new articles, enough for several extraction batches."""
    source = tmp_path / "source"
    shutil.copytree(SEEDS, source)
    for rel_path, text in NEW_ARTICLES.items():
        (source / rel_path).parent.mkdir(parents=True, exist_ok=True)
        (source / rel_path).write_text(text, encoding="utf-8")
    return source


def run_cli(source: Path, warehouse: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    argv = [str(RURALPULSE), "run", "--source", str(source), "--warehouse", str(warehouse)]
    argv += ["--workers", "2", "--batches", "4"]
    return subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=400)


def orphans_of(source: Path) -> list[int]:
    """Processes still running a command line that names this test's source folder, after they had 10 s to exit."""
    deadline = time.monotonic() + 10
    while (found := processes_naming(source)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def processes_naming(source: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(source).encode() in cmdline and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


# Eight `ruralpulse run` processes in a row: more than the default per-test limit on a loaded machine.
@pytest.mark.timeout(1800)
def test_runs_killed_at_every_point_leave_the_published_file_intact_and_the_next_run_recovers(
    published_once, api_env, tmp_path
):
    """One warehouse, killed at each point in turn: every kill leaves the published file as it was and only
    its own leftovers (the kill before's are removed by the next run), and a final run completes and cleans up.

    Chained rather than one fresh warehouse per point: each run after a kill at point P starts from P's leftovers
    and gets past P before it is killed itself, and the last one runs to completion, so every point's leftovers
    are recovered from, with 8 `ruralpulse run` processes instead of 14.
    """
    warehouse = tmp_path / "wh" / "ruralpulse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(published_once, warehouse)
    before_sha, before = sha256(warehouse), contents(warehouse)
    source = changed_source(tmp_path)
    previous = work_entries(warehouse)

    for point in POINTS:
        killed = run_cli(source, warehouse, {**api_env, CRASH_ENV: point})

        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr[-2000:])
        assert sha256(warehouse) == before_sha, point
        assert contents(warehouse) == before, point
        left = work_entries(warehouse)
        assert {name for name, entries in left.items() if entries} == LEFTOVERS[point], (point, left)
        # This run removed what the run killed before it had left, before it was killed in turn.
        for name, entries in previous.items():
            assert not set(entries) & set(left[name]), (point, name, previous, left)
        # Extraction workers must not outlive the run they worked for, or they race the next run's clean-up.
        assert orphans_of(source) == [], point
        previous = left

    recovered = run_cli(source, warehouse, api_env)

    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert "3 new" in recovered.stdout
    after = contents(warehouse)
    paths = {row[1] for row in after["marts.dim_document"]}
    assert set(NEW_ARTICLES) <= paths
    assert after["marts.dim_document"] != before["marts.dim_document"]
    assert work_entries(warehouse) == {"builds": [], "scratch": []}


def test_failed_validation_names_the_expectation_and_sample_rows(run_pipeline, seed_run, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    seed_copy, warehouse = copy_published(seed_run, tmp_path)
    before_sha = sha256(warehouse)
    strict = tmp_path / "strict"
    shutil.copytree(EXPECTATIONS, strict)
    suite = json.loads((strict / "dim_document.json").read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_in_set",
            "kwargs": {"column": "title", "value_set": ["Forbidden fruit"]},
            "meta": {},
            "description": "no title mentions the forbidden word",
        }
    )
    (strict / "dim_document.json").write_text(json.dumps(suite))
    (seed_copy / "bad.txt").write_text("title: Forbidden fruit\n\nA new article about 5 orchards.\n")

    state = run_pipeline(seed_copy, warehouse, expectations=strict, workers=1, batches=1)

    assert state.is_failed()
    summary = state.result(raise_on_failure=False)
    assert summary.validation == "failed" and not summary.published
    assert summary.failed_expectations == [
        "dim_document: expect_column_values_to_not_be_in_set no title mentions the forbidden word"
    ]
    assert "no title mentions the forbidden word" in state.message
    assert sha256(warehouse) == before_sha
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["data-quality"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]),
            )
        )
    report = artifact.data
    assert report.startswith("# Data quality report: FAILED")
    [row] = [line for line in report.splitlines() if "no title mentions the forbidden word" in line]
    assert row.startswith("| FAIL | expect_column_values_to_not_be_in_set | title |")
    # The sample names the offending row, so an analyst can find it without re-running anything.
    assert "source_path=bad.txt" in row and "| 1 |" in row


def test_transient_io_errors_in_ingest_and_publish_are_retried(run_pipeline, seed_copy, tmp_path, monkeypatch):
    import flows.pipeline as pipeline

    calls = {"ingest": 0, "publish": 0}
    real_ingest, real_publish = pipeline.plan_ingest, pipeline.publish

    def flaky_ingest(*args, **kwargs):
        calls["ingest"] += 1
        plan = real_ingest(*args, **kwargs)
        if calls["ingest"] == 1:
            # After the scratch files are written, so the retry must cope with a half-done first attempt.
            raise OSError(5, "Input/output error (injected)")
        return plan

    def flaky_publish(build, published):
        calls["publish"] += 1
        if calls["publish"] == 1:
            raise OSError(28, "No space left on device (injected)")
        real_publish(build, published)

    monkeypatch.setattr(pipeline, "plan_ingest", flaky_ingest)
    monkeypatch.setattr(pipeline, "publish", flaky_publish)
    warehouse = tmp_path / "ruralpulse.duckdb"

    state = run_pipeline(seed_copy, warehouse, workers=1, batches=1)

    assert state.is_completed(), state.message
    assert calls == {"ingest": 2, "publish": 2}
    summary = state.result()
    assert summary.published and summary.documents_new == 1 and summary.documents == 1
    assert contents(warehouse)["marts.dim_document"][0][1] == "000_cf1cc64bdc6ef089.txt"
    assert work_entries(warehouse) == {"builds": [], "scratch": []}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_prefect_server_fails_fast_and_changes_nothing(published_once, tmp_path):
    warehouse = tmp_path / "ruralpulse.duckdb"
    shutil.copyfile(published_once, warehouse)
    before = sha256(warehouse)
    api = f"http://127.0.0.1:{free_port()}/api"
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    env.update(PREFECT_API_URL=api, PREFECT_SERVER_ANALYTICS_ENABLED="false")

    done = subprocess.run(
        [str(RURALPULSE), "run", "--source", str(SEEDS), "--warehouse", str(warehouse)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert f"Prefect API at {api} is not reachable" in done.stderr
    assert "ruralpulse server" in done.stderr and "unset PREFECT_API_URL" in done.stderr
    assert "Traceback" not in done.stderr
    assert sha256(warehouse) == before
    assert not (tmp_path / ".ruralpulse.duckdb.work").exists()
