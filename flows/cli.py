"""The ruralpulse command line: the edge where paths and defaults are decided."""

from __future__ import annotations

import argparse
import atexit
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQL = PROJECT_ROOT / "sql"
DEFAULT_EXPECTATIONS = PROJECT_ROOT / "expectations"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
HEALTH_TIMEOUT_SECONDS = 3.0
DEFAULT_SCORER = PROJECT_ROOT.parent / "shared" / "eval" / "score.py"
# What Prefect 3.9's SubprocessASGIServer sets for its temporary server: no UI, services for ephemeral servers only.
TEMPORARY_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def quiet_prefect_environment() -> None:
    """Settings that must be in place before Prefect is imported: no telemetry, state inside the project."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "0.3")
    # The ephemeral API migrates a new database on first use, which takes longer than the 20 s default here.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


class TemporaryPrefectApi:
    """Prefect's temporary API server, started by us first thing so that it boots while the flow module imports.

    Left to itself, Prefect starts the same server (`SubprocessASGIServer` of prefect 3.9: uvicorn over
    `prefect.server.api.server:create_app`, UI off, ephemeral services) at the flow's first API call: after this
    process has imported the flow (~10 s) and the server module (~7 s of CPU, only to find that class), and only then
    does the server's own ~20 s boot begin. Here the boot overlaps the import, and the server module is never imported
    in this process. Stopped at exit like Prefect's, and with the run if the run is killed.
    """

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self) -> None:
        import importlib.util

        self.port = free_port()
        # The same command and flags as Prefect's own temporary server; --app-dir keeps the cwd off its sys.path.
        site_packages = Path(importlib.util.find_spec("prefect").submodule_search_locations[0]).parent
        argv = [sys.executable, "-m", "uvicorn", "--app-dir", str(site_packages)]
        argv += ["--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port)]
        argv += ["--log-level", "error", "--lifespan", "on"]
        env = {**os.environ, **TEMPORARY_SERVER_ENV}
        self.process = subprocess.Popen(argv, env=env, preexec_fn=parent_death_signal())
        atexit.register(self.stop)

    def wait_until_ready(self, timeout: float) -> None:
        """Block until the API answers its health check; RuntimeError if the server exits or times out."""
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == 3:  # uvicorn: the port was taken meanwhile; Prefect retries on another one, so do we
                self.start()
                continue
            if code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with status {code}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        send_queued_prefect_logs()
        process, self.process = self.process, None
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def send_queued_prefect_logs() -> None:
    """Send the logs and events Prefect still queues, while its server is up.

    Exit handlers run last-registered first, so logging's own exit flush comes after the server has stopped and
    waits 5 s for it (Prefect's timeout) before giving up on the logs.
    """
    if "prefect.logging.handlers" not in sys.modules:
        return  # Prefect never ran a flow here, so nothing is queued
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parent_death_signal():
    """A preexec_fn: the child gets SIGTERM when this process dies, even by SIGKILL (Linux; elsewhere nothing)."""
    import ctypes
    import signal

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    PR_SET_PDEATHSIG = 1
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_temporary_api_if_unset() -> TemporaryPrefectApi | None:
    """Start the temporary API now when no API URL can be configured, else None (Prefect settings not loaded yet).

    A URL set in the environment is decided here; one set in the active Prefect profile or a prefect.toml is only
    known once Prefect's settings load (`use_api_url` then stops this server again).
    """
    if os.environ.get("PREFECT_API_URL", "").strip():
        return None
    return TemporaryPrefectApi()


def use_api_url(temporary: TemporaryPrefectApi | None) -> None:
    """Point Prefect at the temporary API unless its settings configure one (then the temporary one stops)."""
    if temporary is None:
        return
    if configured_api_url():
        temporary.stop()
        return
    from prefect.context import refresh_global_settings_context

    os.environ["PREFECT_API_URL"] = temporary.url
    # No "View at <url>" line: this server has no UI and stops with the run.
    os.environ.setdefault("PREFECT_UI_URL", "")
    # Prefect's settings were read when it was imported; read them again, for every thread.
    refresh_global_settings_context()


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    from flows.report import add_arguments

    add_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ruralpulse", description="News articles -> a validated DuckDB warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the pipeline once and publish the warehouse if it validates")
    run.add_argument("--source", default="seeds", help="folder of documents (default: seeds/)")
    run.add_argument("--warehouse", default="warehouse/ruralpulse.duckdb", help="DuckDB file analysts open")
    run.add_argument("--full-refresh", action="store_true", help="extract every document again")
    run.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="extraction processes")
    run.add_argument("--batches", type=int, default=8, help="extraction batches (independent of corpus size)")
    run.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest document accepted")
    run.add_argument(
        "--task-runner",
        choices=["processes", "dask"],
        default="processes",
        help="where extraction runs: local processes, or a Dask cluster through prefect-dask",
    )
    run.add_argument("--dask-address", help="scheduler of an existing Dask cluster, e.g. tcp://127.0.0.1:8786")
    run.add_argument("--sql", default=str(DEFAULT_SQL), help=argparse.SUPPRESS)
    run.add_argument("--expectations", default=str(DEFAULT_EXPECTATIONS), help=argparse.SUPPRESS)
    serve = commands.add_parser("serve", help="register the scheduled deployment and serve its runs")
    serve.add_argument("--cron", default="0 * * * *", help='schedule (default: hourly, "0 * * * *")')
    serve.add_argument("--source", default="seeds")
    serve.add_argument("--warehouse", default="warehouse/ruralpulse.duckdb")
    serve.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    evaluate = commands.add_parser("evaluate", help="run the pipeline on annotated documents and score it")
    evaluate.add_argument("--gold", required=True, help="folder of reference annotations (JSON)")
    evaluate.add_argument("--docs", help="folder of the annotated documents (default: GOLD/../docs)")
    evaluate.add_argument("--warehouse", help="where to build the scored warehouse (default: a temporary file)")
    evaluate.add_argument("--scorer", default=str(DEFAULT_SCORER), help="the reference scorer script")
    evaluate.add_argument("--quiet", action="store_true", help="totals only")
    report = commands.add_parser("report", help="write a self-contained HTML report of the published warehouse")
    add_report_arguments(report)
    docs = commands.add_parser("docs", help="regenerate docs/data-dictionary.md from sql/docs/catalog.toml")
    docs.add_argument("--check", action="store_true", help="only check that the committed file is current")
    server = commands.add_parser("server", help="start a local Prefect server and UI on 127.0.0.1")
    server.add_argument("--port", type=int, default=4200)
    return parser


def print_summary(summary) -> None:
    """The end-of-run summary on the terminal."""
    lines = [
        "",
        f"ruralpulse run {summary.run_id}",
        f"  source        {summary.source}",
        f"  documents     {summary.documents} in warehouse "
        f"({summary.documents_new} new, {summary.documents_changed} changed, {summary.documents_unchanged} unchanged, "
        f"{summary.documents_removed} removed, {summary.documents_rejected} rejected)",
        f"  entities      {summary.entities} ({summary.mentions} mentions)",
        f"  figures       {summary.metrics}",
        f"  quotations    {summary.quotes}",
        f"  validation    {summary.validation}",
        f"  published     {'yes: ' + summary.warehouse if summary.published else 'no: ' + summary.message}",
    ]
    if getattr(summary, "data_docs", ""):
        lines.append(f"  data docs     {summary.data_docs}")
    lines += [f"  failed        {f}" for f in summary.failed_expectations[:10]]
    print("\n".join(lines), flush=True)


def unreachable_prefect_api() -> str | None:
    """The configured PREFECT_API_URL when no server answers there, else None (also when none is configured)."""
    api = configured_api_url()
    if not api:
        return None
    import httpx

    try:
        # Any HTTP answer means a server is there; only a refused or silent connection is "down".
        httpx.get(api.rstrip("/") + "/health", timeout=HEALTH_TIMEOUT_SECONDS)
    except httpx.TransportError:
        return api
    return None


def command_run(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if not source.is_dir():
        print(f"ruralpulse: source folder not found: {source}", file=sys.stderr)
        return 2
    from flows.warehouse import RunAlreadyActive, RunLock, WarehouseLayout

    layout = WarehouseLayout(Path(args.warehouse))
    try:
        # Fail fast, before a Prefect server is started, when the warehouse is busy; the flow checks again. Without
        # a lock file no run can hold it, and the check creates nothing (a run that stops here changes nothing).
        if layout.lock_path.exists():
            with RunLock(layout):
                pass
    except RunAlreadyActive as exc:
        print(f"ruralpulse: {exc}", file=sys.stderr)
        return 3
    if args.task_runner == "dask" and not configured_api_url():
        # Dask workers report their task runs to the API themselves; a temporary API lives only in this process.
        print(
            "ruralpulse: --task-runner dask needs a Prefect server: start `ruralpulse server`, set PREFECT_API_URL",
            file=sys.stderr,
        )
        return 2
    if not args.full_refresh and args.task_runner == "processes" and not api_url_may_be_configured():
        # Only when the run would get a temporary Prefect API: with a long-running server (PREFECT_API_URL set) every
        # run is a flow run the operator sees in the UI, so the flow runs even when it will find nothing to do. With a
        # temporary server no one watches the run, and the flow would only find the same answer ~20 s later, after
        # Prefect's import and the server's boot. The decision is the flow's own code (flows.summary).
        status = run_if_already_current(args, source)
        if status is not None:
            return status
    temporary = start_temporary_api_if_unset()
    use_api_url(temporary)
    down = None if temporary and temporary.running else unreachable_prefect_api()
    if down:
        # Without the check the flow retries the API for about 20 s and then dies with a long traceback.
        print(
            f"ruralpulse: Prefect API at {down} is not reachable: start it with `ruralpulse server` "
            "or unset PREFECT_API_URL to use a temporary one; nothing was changed",
            file=sys.stderr,
        )
        return 1
    from flows.pipeline import RunSummary, ruralpulse_run

    if temporary and temporary.running:
        # The server boots in its own process for a few more seconds: import Great Expectations (~6 s) meanwhile
        # rather than in the validate task, where nothing else would run beside it.
        from flows.validate import import_great_expectations

        import_great_expectations()
        try:
            temporary.wait_until_ready(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
        except RuntimeError as exc:
            print(f"ruralpulse: {exc}; nothing was changed", file=sys.stderr)
            return 1

    flow = ruralpulse_run
    if args.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        flow = ruralpulse_run.with_options(task_runner=DaskTaskRunner(address=args.dask_address))
    state = flow(
        source=str(source),
        warehouse=str(Path(args.warehouse)),
        sql_dir=args.sql,
        expectations_dir=args.expectations,
        workers=args.workers,
        batches=args.batches,
        max_bytes=args.max_bytes,
        full_refresh=args.full_refresh,
        extract_on="task-runner" if args.task_runner == "dask" else "processes",
        return_state=True,
    )
    result = state.result(raise_on_failure=False)
    if isinstance(result, RunSummary):
        print_summary(result)
    if state.is_completed() and isinstance(result, RunSummary) and result.published:
        return 0
    print(f"ruralpulse: not published: {state.message or result}", file=sys.stderr)
    return 3 if "another ruralpulse run is active" in (state.message or "") else 1


def run_if_already_current(args: argparse.Namespace, source: Path) -> int | None:
    """Answer a run on an unchanged source like the flow would, without Prefect: an exit status, or None to run it."""
    import duckdb

    from flows.sqlmodels import load_models
    from flows.summary import already_current
    from flows.warehouse import RunAlreadyActive, WarehouseLayout

    layout = WarehouseLayout(Path(args.warehouse))
    try:
        summary = already_current(
            str(source),
            layout,
            load_models(Path(args.sql)),
            Path(args.expectations),
            batches=args.batches,
            max_bytes=args.max_bytes,
            workers=args.workers,
        )
    except RunAlreadyActive as exc:
        print(f"ruralpulse: {exc}", file=sys.stderr)
        return 3
    except (OSError, duckdb.Error):
        return None  # the flow meets the same problem and reports it as a failed run
    if summary is None:
        return None
    print(f"ruralpulse: {summary.message}; no Prefect flow run was started", flush=True)
    print_summary(summary)
    return 0


def api_url_may_be_configured() -> bool:
    """Whether Prefect may find an API URL (so no temporary server), read without importing Prefect.

    The environment, then the files Prefect's settings read: the active profile, and .env, prefect.toml and
    pyproject.toml in the working directory. A file that cannot be read counts as configuring one.
    """
    import tomllib

    if os.environ.get("PREFECT_API_URL", "").strip():
        return True
    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        if profiles.exists():
            data = tomllib.loads(profiles.read_text())
            active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
            if str(data.get("profiles", {}).get(active, {}).get("PREFECT_API_URL", "")).strip():
                return True
        if Path(".env").exists() and "PREFECT_API_URL" in Path(".env").read_text():
            return True
        for file, table in (("prefect.toml", ()), ("pyproject.toml", ("tool", "prefect"))):
            if Path(file).exists():
                settings = tomllib.loads(Path(file).read_text())
                for key in table:
                    settings = settings.get(key, {})
                if settings.get("api", {}).get("url"):
                    return True
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        return True
    return False


def configured_api_url() -> str:
    """The Prefect API URL from the environment or the active Prefect profile; empty when none is set."""
    from prefect.settings import PREFECT_API_URL

    return (PREFECT_API_URL.value() or "").strip()


def flow_parameters(source: str, warehouse: str, workers: int, batches: int = 8) -> dict:
    """The flow's parameters, with every path made absolute so a served run does not depend on its cwd."""
    return {
        "source": str(Path(source).resolve()),
        "warehouse": str(Path(warehouse).resolve()),
        "sql_dir": str(DEFAULT_SQL),
        "expectations_dir": str(DEFAULT_EXPECTATIONS),
        "workers": workers,
        "batches": batches,
        "max_bytes": DEFAULT_MAX_BYTES,
    }


def command_serve(args: argparse.Namespace) -> int:
    if not configured_api_url():
        print("ruralpulse: serve needs a server: start `ruralpulse server`, set PREFECT_API_URL", file=sys.stderr)
        return 2
    from prefect import serve

    from flows.pipeline import scheduled_deployment

    deployment = scheduled_deployment(args.cron, flow_parameters(args.source, args.warehouse, args.workers))
    serve(deployment)
    return 0


def command_evaluate(args: argparse.Namespace) -> int:
    import importlib.util
    import tempfile

    gold = Path(args.gold)
    docs = Path(args.docs) if args.docs else gold.parent / "docs"
    scorer_path = Path(args.scorer)
    if not scorer_path.exists():
        print(f"ruralpulse: reference scorer not found: {scorer_path}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ruralpulse-eval-") as tmp:
        warehouse = Path(args.warehouse) if args.warehouse else Path(tmp) / "eval.duckdb"
        run_args = build_parser().parse_args(["run", "--source", str(docs), "--warehouse", str(warehouse)])
        status = command_run(run_args)
        if status != 0:
            return status
        spec = importlib.util.spec_from_file_location("reference_scorer", scorer_path)
        scorer = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(scorer)
        argv = ["--warehouse", str(warehouse), "--gold", str(gold)] + (["--quiet"] if args.quiet else [])
        return scorer.main(argv)


def command_report(args: argparse.Namespace) -> int:
    from flows.report import run

    return run(args)


def command_docs(args: argparse.Namespace) -> int:
    from flows.catalog import main as catalog_main

    return catalog_main(["--check"] if args.check else [])


def command_server(args: argparse.Namespace) -> int:
    api = f"http://127.0.0.1:{args.port}/api"
    env = {**os.environ, "PREFECT_UI_API_URL": api, "PREFECT_API_URL": api}
    print(f"Prefect UI: http://127.0.0.1:{args.port}  (state in {env['PREFECT_HOME']})", flush=True)
    prefect = Path(sys.executable).with_name("prefect")
    argv = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(args.port)]
    os.execve(argv[0], argv, env)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quiet_prefect_environment()
    commands = {
        "run": command_run,
        "serve": command_serve,
        "server": command_server,
        "evaluate": command_evaluate,
        "report": command_report,
        "docs": command_docs,
    }
    return commands[args.command](args)


def entrypoint() -> None:
    """Console-script entry: run, then exit without interpreter teardown once exit handlers have run."""
    code = main()
    # Prefect stops its ephemeral server and flushes logs in exit handlers; run them, then skip module teardown,
    # where DuckDB's bindings report objects still referenced by other libraries as "leaked" on stderr.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entrypoint()
