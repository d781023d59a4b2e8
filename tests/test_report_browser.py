"""`ruralpulse report` in headless Chromium: offline page, no console errors, every chart drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main as cli_main
from tests.analyst_warehouse import analyst_warehouse

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = ["figures-per-topic", "top-entities", "documents-per-publisher", "data-quality"]


@pytest.fixture(scope="module")
def report(prefect_server, tmp_path_factory) -> Path:
    warehouse = analyst_warehouse(tmp_path_factory)
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert cli_main(["report", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    return out


def test_report_is_self_contained(report: Path):
    text = report.read_text(encoding="utf-8")
    # plotly.js is inlined: no script or stylesheet is fetched from anywhere.
    assert "<script src=" not in text and "<link " not in text
    assert "Plotly.newPlot" in text and len(text) > 1_000_000


def test_report_command_refuses_a_missing_warehouse(tmp_path: Path, capsys):
    assert cli_main(["report", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert "warehouse not found" in capsys.readouterr().err


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_report_renders_every_chart_without_errors(report: Path, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.as_uri())
            for chart in CHARTS:
                page.wait_for_selector(f"#{chart} svg.main-svg", timeout=30_000)
            sizes = {
                chart: page.eval_on_selector(
                    f"#{chart} svg.main-svg",
                    "svg => [svg.getBoundingClientRect().width, svg.getBoundingClientRect().height]",
                )
                for chart in CHARTS
            }
            bars = {chart: page.locator(f"#{chart} g.trace.bars path").count() for chart in CHARTS}
            runs = page.locator("#runs tbody tr").count()
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    assert all(width > 100 and height > 100 for width, height in sizes.values()), sizes
    assert all(count > 0 for count in bars.values()), bars
    assert runs >= 1
    assert (tmp_path / "report.png").stat().st_size > 10_000
