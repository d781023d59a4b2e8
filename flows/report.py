"""`ruralpulse report`: one self-contained HTML page of charts over the published warehouse (works offline)."""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DEFAULT_WAREHOUSE = Path("warehouse/ruralpulse.duckdb")
TOP_ENTITIES = 15
LAST_RUNS = 20
NO_TOPIC = "(no topic)"
NO_PUBLISHER = "(not stated)"

# A document without a published date is filed under the day it was first loaded, so every figure has a month.
FIGURES_PER_TOPIC_MONTH = f"""
with figures as (
    select metric_id, topics, date_trunc('month', coalesce(published_date, m.ingested_month)) as month
    from marts.metrics_enriched
    join (select document_id, ingested_at::date as ingested_month from marts.dim_document) m using (document_id)
),
tagged as (
    select month, coalesce(t.label, '{NO_TOPIC}') as topic, coalesce(t.sort_order, 1000) as sort_order
    from figures
    left join (select metric_id, unnest(topics) as topic_id from figures) f using (metric_id)
    left join marts.dim_topic t using (topic_id)
)
select month::date as month, topic, count(*) as figures
from tagged group by month, topic, sort_order order by sort_order, month
"""
TOP_MENTIONED = f"""
select canonical_name, entity_type, mention_count, document_count
from marts.entity_profile order by mention_count desc, canonical_name limit {TOP_ENTITIES}
"""
DOCUMENTS_PER_PUBLISHER = f"""
select coalesce(publisher, '{NO_PUBLISHER}') as publisher, count(*) as documents
from marts.dim_document group by 1 order by documents desc, publisher
"""
RUNS = f"""
select r.run_id, r.started_at, r.published, r.validation_success, r.documents_new, r.documents_changed,
       r.documents_removed, r.documents_rejected, r.message,
       count(v.run_id) filter (v.success) as passed, count(v.run_id) filter (not v.success) as failed
from ops.runs r left join ops.validation_results v using (run_id)
group by all order by r.started_at desc limit {LAST_RUNS}
"""
TOTALS = """
select (select count(*) from marts.dim_document), (select count(*) from marts.fct_metric),
       (select count(*) from marts.dim_entity), (select count(*) from marts.fct_quote),
       (select count(*) from marts.rejected_documents)
"""


@dataclass(frozen=True)
class ReportData:
    """What the page shows, read from the warehouse in one read-only session."""

    figures_per_topic_month: list[tuple]
    top_mentioned: list[tuple]
    documents_per_publisher: list[tuple]
    runs: list[tuple]
    totals: tuple


def read_report_data(warehouse: Path) -> ReportData:
    """Query the warehouse read-only; a run may publish meanwhile without affecting this snapshot."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return ReportData(
            figures_per_topic_month=con.execute(FIGURES_PER_TOPIC_MONTH).fetchall(),
            top_mentioned=con.execute(TOP_MENTIONED).fetchall(),
            documents_per_publisher=con.execute(DOCUMENTS_PER_PUBLISHER).fetchall(),
            runs=con.execute(RUNS).fetchall(),
            totals=con.execute(TOTALS).fetchone(),
        )
    finally:
        con.close()


def charts(data: ReportData) -> list[tuple[str, str, object]]:
    """(id, title, plotly figure) of every chart on the page."""
    import plotly.graph_objects as go

    layout = {"margin": {"l": 60, "r": 20, "t": 30, "b": 60}, "height": 420, "template": "plotly_white"}

    by_topic = go.Figure(layout={**layout, "barmode": "stack", "xaxis": {"title": "month"}})
    topics = list(dict.fromkeys(topic for _month, topic, _n in data.figures_per_topic_month))
    for topic in topics:
        rows = [(month, n) for month, t, n in data.figures_per_topic_month if t == topic]
        by_topic.add_bar(name=topic, x=[m.isoformat() for m, _ in rows], y=[n for _, n in rows])
    by_topic.update_layout(yaxis_title="figures", xaxis_type="category", xaxis_categoryorder="category ascending")

    entities = list(reversed(data.top_mentioned))
    mentioned = go.Figure(layout={**layout, "height": max(300, 28 * len(entities) + 80)})
    mentioned.add_bar(
        orientation="h",
        y=[f"{name} ({kind})" for name, kind, _m, _d in entities],
        x=[m for _n, _k, m, _d in entities],
        customdata=[d for *_rest, d in entities],
        hovertemplate="%{y}: %{x} mentions in %{customdata} documents<extra></extra>",
    )
    mentioned.update_layout(xaxis_title="mentions", margin={**layout["margin"], "l": 260})

    publishers = go.Figure(layout=layout)
    publishers.add_bar(x=[p for p, _ in data.documents_per_publisher], y=[n for _, n in data.documents_per_publisher])
    publishers.update_layout(yaxis_title="documents")

    runs = list(reversed(data.runs))
    quality = go.Figure(layout={**layout, "barmode": "stack"})
    labels = [f"{r[1]:%Y-%m-%d %H:%M}" for r in runs]
    quality.add_bar(name="passed", x=labels, y=[r[9] for r in runs], marker_color="#2ca02c")
    quality.add_bar(name="failed", x=labels, y=[r[10] for r in runs], marker_color="#d62728")
    quality.update_layout(yaxis_title="expectations", xaxis_type="category")

    return [
        ("figures-per-topic", "Figures per topic and month", by_topic),
        ("top-entities", f"Most mentioned entities (top {TOP_ENTITIES})", mentioned),
        ("documents-per-publisher", "Documents per publisher", publishers),
        ("data-quality", f"Data quality of the last {LAST_RUNS} runs: expectations passed and failed", quality),
    ]


def render_html(data: ReportData, warehouse: Path, generated_at: datetime) -> str:
    """The whole page: plotly.js inlined once, then each chart and the run table."""
    from plotly.offline import get_plotlyjs

    documents, figures, entities, quotes, rejected = data.totals
    sections = []
    for chart_id, title, figure in charts(data):
        div = figure.to_html(
            full_html=False, include_plotlyjs=False, div_id=chart_id, config={"displaylogo": False, "responsive": True}
        )
        sections.append(f"<section><h2>{html.escape(title)}</h2>\n{div}\n</section>")
    run_rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(cell))}</td>"
            for cell in (
                f"{r[1]:%Y-%m-%d %H:%M:%S}",
                r[0],
                "yes" if r[2] else "no",
                {True: "passed", False: "failed", None: "not run"}[r[3]],
                f"{r[9]} passed, {r[10]} failed" if r[9] or r[10] else "",
                f"{r[4] or 0} new, {r[5] or 0} changed, {r[6] or 0} removed, {r[7] or 0} rejected",
                r[8] or "",
            )
        )
        + "</tr>"
        for r in data.runs
    )
    sections.append(
        "<section><h2>Last runs</h2><table id='runs'><thead><tr><th>started</th><th>run</th><th>published</th>"
        "<th>validation</th><th>expectations</th><th>documents</th><th>message</th></tr></thead>"
        f"<tbody>{run_rows}</tbody></table></section>"
    )
    body = "\n".join(sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ruralpulse report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
h1 {{ margin-bottom: 0.2rem; }}
.meta {{ color: #666; margin-top: 0; }}
.totals {{ display: flex; gap: 2rem; margin: 1rem 0 2rem; }}
.totals div {{ font-size: 0.9rem; color: #555; }}
.totals b {{ display: block; font-size: 1.6rem; color: #222; }}
section {{ margin-bottom: 2.5rem; }}
table {{ border-collapse: collapse; font-size: 0.85rem; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }}
</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<h1>ruralpulse report</h1>
<p class="meta">{html.escape(str(warehouse))}, generated {generated_at:%Y-%m-%d %H:%M}</p>
<div class="totals">
<div><b>{documents}</b>documents</div><div><b>{figures}</b>figures</div><div><b>{entities}</b>entities</div>
<div><b>{quotes}</b>quotations</div><div><b>{rejected}</b>rejected files</div>
</div>
{body}
</body>
</html>
"""


def write_report(warehouse: Path, out: Path) -> Path:
    """Read the warehouse and write the page to out."""
    data = read_report_data(warehouse)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, warehouse, datetime.now()), encoding="utf-8")
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The report command's options."""
    parser.add_argument("--warehouse", default=str(DEFAULT_WAREHOUSE), help="published DuckDB file to read")
    parser.add_argument("--out", help="HTML file to write (default: report.html beside the warehouse)")


def run(args: argparse.Namespace) -> int:
    """Write the report; 2 when the warehouse does not exist."""
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        print(f"ruralpulse: warehouse not found: {warehouse} (run `ruralpulse run` first)", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else warehouse.parent / "report.html"
    print(f"wrote {write_report(warehouse, out)}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="ruralpulse report")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
