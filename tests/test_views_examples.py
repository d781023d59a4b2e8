"""The analyst relations and examples/ queries on a warehouse built by the real flow from the test articles."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.analyst_warehouse import analyst_warehouse
from tests.conftest import EXPECTATIONS, ROOT

pytestmark = pytest.mark.slow

EXAMPLES = ROOT / "examples"
ANALYST = ["dim_topic", "bridge_metric_topic", "bridge_document_topic", "metrics_enriched", "entity_profile"]
ANALYST += ["quotes_enriched"]


@pytest.fixture(scope="module")
def warehouse(prefect_server, tmp_path_factory) -> Path:
    return analyst_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def con(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def query(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def example(con, name: str) -> list[dict]:
    return query(con, (EXAMPLES / f"{name}.sql").read_text(encoding="utf-8"))


def test_every_example_is_listed_and_tested():
    files = sorted(p.stem for p in EXAMPLES.glob("*.sql"))
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert files and all(f"`{name}.sql`" in readme for name in files)
    tested = {name[len("test_example_") :] for name in globals() if name.startswith("test_example_")}
    assert set(files) == tested


def test_analyst_relations_were_validated_by_their_suites(con):
    for name in ANALYST:
        assert json.loads((EXPECTATIONS / f"{name}.json").read_text())["meta"]["relation"] == f"marts.{name}"
    rows = con.execute(
        "select suite, bool_and(success), count(*) from ops.validation_results group by suite"
    ).fetchall()
    outcome = {suite: (ok, n) for suite, ok, n in rows}
    for name in ANALYST:
        assert outcome[name][0] is True and outcome[name][1] > 0, name


def test_data_docs_were_built_beside_the_warehouse(warehouse):
    docs = warehouse.parent / "data_docs"
    assert (docs / "index.html").is_file()
    assert list((docs / "validations" / "metrics_enriched").rglob("*.html"))


def test_metrics_enriched_has_every_figure_in_its_sentence(con):
    counts = con.execute(
        "select (select count(*) from marts.fct_metric), (select count(*) from marts.metrics_enriched)"
    ).fetchone()
    assert counts[0] == counts[1] > 0
    rows = query(con, "select mention_text, sentence, title, topics, topic_labels from marts.metrics_enriched")
    assert all(r["mention_text"] in r["sentence"] and r["title"] for r in rows)
    # A sentence is one sentence: it never runs over a line break.
    assert not [r["sentence"] for r in rows if "\n" in r["sentence"]]
    assert sum(1 for r in rows if r["topics"]) > len(rows) / 2
    assert all(len(r["topics"]) == len(r["topic_labels"]) for r in rows)


def test_metrics_enriched_names_places_of_the_sentence(con):
    row = query(
        con,
        "select sentence_places, document_places from marts.metrics_enriched where mention_text = '12,000 mu'",
    )[0]
    assert row["sentence_places"] == ["Qingshan County"]
    assert "Qingshan County" in row["document_places"]


def test_figure_topics_follow_the_taxonomy(con):
    topics = dict(con.execute("select mention_text, topics from marts.metrics_enriched").fetchall())
    assert "infrastructure" in topics["about 4.6 million kilometers"]  # subject: length of roads
    assert "e_commerce" in topics["2.3 million orders"]  # sentence: e-commerce platforms
    assert "tourism" in topics["784 million visits"]


def test_document_topics_from_title_or_repeated_body(con):
    rows = query(
        con,
        "select d.title, b.topic_id, b.matched_in from marts.bridge_document_topic b join marts.dim_document d "
        "using (document_id)",
    )
    by_title: dict[str, set[str]] = {}
    for r in rows:
        by_title.setdefault(r["title"], set()).add(r["topic_id"])
    wind = by_title["Coastal wind farm connects to the grid ahead of schedule"]
    assert "energy_environment" in wind and "agriculture" not in wind  # "wind farm" is excluded from farming
    assert "agriculture" in by_title["Mountain county turns green tea into export income"]


def test_entity_profile_counts_agree_with_the_facts(con):
    rows = query(con, "select * from marts.entity_profile")
    assert len(rows) == con.execute("select count(*) from marts.dim_entity").fetchone()[0]
    mentions = dict(con.execute("select entity_id, count(*) from marts.fct_entity_mention group by 1").fetchall())
    quotes = dict(
        con.execute("select speaker_entity_id, count(*) from marts.fct_quote group by 1 having 1 = 1").fetchall()
    )
    for r in rows:
        assert r["mention_count"] == mentions.get(r["entity_id"], 0)
        assert r["quote_count"] == quotes.get(r["entity_id"], 0)
        assert r["document_count"] <= r["mention_count"]
        if r["first_seen_date"] is not None:
            assert r["first_seen_date"] <= r["last_seen_date"]
        assert r["canonical_name"] in r["names"] or not r["names"]


def test_quotes_enriched_name_their_speaker(con):
    rows = query(con, "select * from marts.quotes_enriched")
    assert len(rows) == con.execute("select count(*) from marts.fct_quote").fetchone()[0] > 0
    spoken = [r for r in rows if r["speaker_entity_id"]]
    assert spoken and all(r["speaker_name"] and r["title"] for r in spoken)
    assert any(r["speaker_affiliation"] for r in spoken)


def test_example_rural_tourism_figures_since_2023(con):
    rows = example(con, "rural_tourism_figures_since_2023")
    assert [r["mention_text"] for r in rows][:1] == ["784 million visits"] or "784 million visits" in {
        r["mention_text"] for r in rows
    }
    dates = [r["as_of_date"] for r in rows]
    assert all(d.year >= 2023 for d in dates) and dates == sorted(dates, reverse=True)


def test_example_most_quoted_people(con):
    rows = example(con, "most_quoted_people")
    counts = [r["quote_count"] for r in rows]
    assert counts and counts == sorted(counts, reverse=True) and counts[0] >= 2
    assert any(r["affiliation"] for r in rows)


def test_example_figures_per_topic_per_month(con):
    rows = example(con, "figures_per_topic_per_month")
    labels = {label for (label,) in con.execute("select label from marts.dim_topic").fetchall()}
    assert rows and all(r["topic"] in labels and r["figures"] > 0 and r["month"].day == 1 for r in rows)
    assert len({r["topic"] for r in rows}) >= 5


def test_example_documents_per_publisher(con):
    rows = example(con, "documents_per_publisher")
    assert sum(r["documents"] for r in rows) == con.execute("select count(*) from marts.dim_document").fetchone()[0]
    assert rows[0]["documents"] >= rows[-1]["documents"]


def test_example_largest_money_figures(con):
    rows = example(con, "largest_money_figures")
    values = [r["value"] for r in rows]
    assert values and values == sorted(values, reverse=True)
    assert values[0] == 630_000_000_000  # "projected to surpass 630 billion yuan" in the seed article


def test_example_places_in_the_news(con):
    rows = example(con, "places_in_the_news")
    assert rows and rows[0]["figures"] >= rows[-1]["figures"] >= 1
    assert "Qingshan County" in {r["place"] for r in rows}
