"""`ruralpulse run` without PREFECT_API_URL: the temporary Prefect server the CLI starts itself."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.cli import TEMPORARY_SERVER_ENV, TemporaryPrefectApi
from flows.faults import CRASH_ENV
from tests.conftest import ROOT, SEEDS

RURALPULSE = Path(sys.executable).with_name("ruralpulse")


class Recorded(Exception):
    """Raised by a fake Popen once it has recorded what it was asked to start."""


def record_popen(calls: list):
    def fake_popen(args, *rest, env=None, **kwargs):
        calls.append((list(map(str, args)), dict(env or {})))
        raise Recorded

    return fake_popen


def test_the_temporary_server_is_started_as_prefect_starts_its_own(monkeypatch):
    """Same command and server flags as Prefect's SubprocessASGIServer, so an upgrade that changes them shows here."""
    import prefect.server.api.server as prefect_server

    ours, theirs = [], []
    monkeypatch.setattr(subprocess, "Popen", record_popen(ours))
    with pytest.raises(Recorded):
        TemporaryPrefectApi()
    monkeypatch.setattr(prefect_server.subprocess, "Popen", record_popen(theirs))
    with pytest.raises(Recorded):
        port = int(ours[0][0][ours[0][0].index("--port") + 1])
        prefect_server.SubprocessASGIServer(port=port)._run_uvicorn_command()

    [(our_argv, our_env)], [(their_argv, their_env)] = ours, theirs
    assert our_argv == their_argv
    assert {k: their_env[k] for k in their_env if k.startswith("PREFECT__") or k == "PREFECT_UI_ENABLED"} == (
        TEMPORARY_SERVER_ENV
    )
    assert {k: our_env[k] for k in TEMPORARY_SERVER_ENV} == TEMPORARY_SERVER_ENV


@pytest.mark.slow
def test_run_without_an_api_url_uses_a_temporary_server_that_stops_with_it(prefect_server, tmp_path):
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    source = tmp_path / "source"
    shutil.copytree(SEEDS, source)
    warehouse = tmp_path / "wh" / "ruralpulse.duckdb"
    # A consistent copy of the session server's database, already migrated: a new one takes a minute or more to
    # migrate on a loaded machine, and sharing the file with the session server makes both wait on SQLite's lock.
    session_db = PREFECT_SERVER_DATABASE_CONNECTION_URL.value().removeprefix("sqlite+aiosqlite:///")
    database = tmp_path / "prefect.db"
    with sqlite3.connect(session_db) as src, sqlite3.connect(database) as dst:
        src.backup(dst)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != CRASH_ENV}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
    }
    argv = [str(RURALPULSE), "run", "--source", str(source), "--warehouse", str(warehouse), "--workers", "1"]

    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr[-3000:]
    assert "published     yes" in done.stdout
    # No link to a UI this server does not have and that is gone once the run ends.
    assert "View at" not in done.stdout + done.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.dim_document").fetchone() == (1,)
    # The server was this run's own and stopped with it.
    assert not [pid for pid in servers_with_home(tmp_path / "prefect-home")], "temporary server left running"
    # Its last log lines reached it before it stopped (sent after, they wait 5 s for nothing, then are lost).
    with sqlite3.connect(database) as db:
        flow_lines = [m for (m,) in db.execute("select message from log where task_run_id is null order by timestamp")]
    assert flow_lines[-1] == "Finished in state Completed()", flow_lines[-3:]


def servers_with_home(home: Path) -> list[int]:
    """Processes whose environment names this Prefect home: the temporary server, while it runs."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if f"PREFECT_HOME={home}".encode() in environ.split(b"\0"):
                found.append(int(entry.name))
    return found
