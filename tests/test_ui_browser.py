"""The Prefect UI, in a real browser, shows a ruralpulse run and its artifacts from a real local server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BIN = Path(sys.executable).parent
# A loaded 2-core machine needs a minute or more for the server to migrate its database and for the UI to render.
STARTUP_SECONDS = 240
UI_TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def prefect_ui(tmp_path):
    """A real `prefect server start` on a free port with its state in tmp_path; yields (base url, environment)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": f"{base}/api",
        "PREFECT_API_URL": f"{base}/api",
    }
    log = (tmp_path / "server.log").open("w")
    cmd = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    # Its own process group, so stopping it also stops any worker process the server started.
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Prefect server not healthy in time"
            time.sleep(1)
        yield base, env
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)
        log.close()


def test_run_and_its_artifacts_appear_in_the_prefect_ui(prefect_ui, tmp_path):
    # Fails rather than skips: CI installs chromium in .ci/run, so a missing browser is a broken set-up.
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install -y --no-install-recommends chromium"
    from playwright.sync_api import expect, sync_playwright

    base, env = prefect_ui
    source = tmp_path / "village-news"
    shutil.copytree(SEEDS, source)
    done = subprocess.run(
        [str(BIN / "ruralpulse"), "run", "--source", str(source), "--warehouse", str(tmp_path / "wh.duckdb")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    # The flow run is named after its source folder; its id comes from the same API the UI reads.
    runs = httpx.post(
        f"{base}/api/flow_runs/filter", json={"flow_runs": {"name": {"any_": [str(source)]}}}, timeout=30
    ).json()
    assert [r["state_type"] for r in runs] == ["COMPLETED"], runs
    run_id = runs[0]["id"]
    artifacts = httpx.post(
        f"{base}/api/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}, timeout=30
    ).json()
    assert {"run-summary", "data-quality"} <= {a["key"] for a in artifacts}

    # Test the UI a user lands on: whichever bundle (V1 or V2) this Prefect serves by default.
    settings = httpx.get(f"{base}/ui-settings", timeout=30).json()
    ui = base + (settings[f"{settings['default_ui']}_base_url"] or "/").rstrip("/")
    screenshot = tmp_path / "flow-run.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT_MS)

            page.goto(f"{ui}/runs")
            expect(page.get_by_text(str(source), exact=True).first).to_be_visible()
            expect(page.get_by_text("Completed").first).to_be_visible()

            page.goto(f"{ui}/runs/flow-run/{run_id}")
            expect(page.get_by_text(str(source), exact=True).first).to_be_visible()
            expect(page.get_by_text("ruralpulse", exact=True).first).to_be_visible()
            expect(page.get_by_text("publish: ").first).to_be_visible()  # the flow's own log lines
            page.get_by_role("tab", name="Artifacts").click()
            expect(page.get_by_text("run-summary").first).to_be_visible()
            expect(page.get_by_text("data-quality").first).to_be_visible()
            page.screenshot(path=str(screenshot), full_page=True)

            page.goto(f"{ui}/artifacts")
            for key in ("run-summary", "data-quality", "extraction-progress"):
                expect(page.get_by_text(key, exact=True).first).to_be_visible()
        finally:
            browser.close()
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000, "the screenshot looks blank"
