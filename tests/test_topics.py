"""Topics: the taxonomy file's rules, keyword patterns, and the SQL that assigns topics to figures and documents."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from flows.catalog import seed_topics
from flows.sqlmodels import load_models, run_ddl, run_transforms
from flows.topics import TaxonomyError, Topic, keyword_pattern, load_taxonomy
from tests.conftest import SQL_DIR


@pytest.mark.parametrize(
    ("keyword", "matches", "misses"),
    [
        ("touris*", ["Tourism", "tourists", "TOURIST"], ["detour", "tour"]),
        ("tea", ["tea", "Tea gardens"], ["team", "steam", "teas"]),
        ("e commerce", ["e-commerce", "E commerce", "e - commerce"], ["ecommerce", "e-commerces"]),
        ("live stream*", ["live-streaming", "live streams"], ["livestream", "alive stream"]),
        ("AI", ["AI chips", "(AI)"], ["Ai Weiwei", "said ai", "AIDS"]),
        ("R&D", ["R&D spending"], ["r&d"]),
        ("JD.com", ["on JD.com today", "jd.com"], ["JDxcom"]),
    ],
)
def test_keyword_pattern_matches_whole_words(keyword, matches, misses):
    pattern = re.compile("(?i)(?:" + keyword_pattern(keyword) + ")")
    for text in matches:
        assert pattern.search(text), (keyword, text)
    for text in misses:
        assert not pattern.search(text), (keyword, text)


def test_shipped_taxonomy_loads_with_the_documented_topics():
    ids = {t.topic_id for t in load_taxonomy()}
    expected = {"tourism", "e_commerce", "agriculture", "employment_income", "infrastructure"}
    assert expected | {"population_migration", "public_finance"} <= ids


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[topic]]\nid = "Bad Id"\nlabel = "x"\ndescription = "x"\nkeywords = ["a"]\n', "lower case"),
        ('[[topic]]\nid = "a"\nlabel = "x"\ndescription = "x"\nkeywords = []\n', "no keywords"),
        ('[[topic]]\nid = "a"\nlabel = ""\ndescription = "x"\nkeywords = ["a"]\n', "no label"),
        ('[[topic]]\nid = "a"\nlabel = "x"\ndescription = "x"\nkeywords = ["(a|b)"]\n', "not words"),
        ('[[topic]]\nid = "a"\nlabel = "x"\ndescription = "x"\nkeywords = ["a"]\nexclude = ["-x"]\n', "not words"),
        ("", "no [[topic]]"),
    ],
)
def test_taxonomy_errors_are_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "topics.toml"
    path.write_text(text)
    with pytest.raises(TaxonomyError, match=re.escape(message)):
        load_taxonomy(path)


def test_duplicate_topic_ids_are_refused(tmp_path: Path):
    entry = '[[topic]]\nid = "a"\nlabel = "x"\ndescription = "x"\nkeywords = ["a"]\n'
    path = tmp_path / "topics.toml"
    path.write_text(entry + entry)
    with pytest.raises(TaxonomyError, match="duplicate"):
        load_taxonomy(path)


TOPICS = [
    Topic("tourism", "Tourism", "Visitors.", ("touris*", "homestay*")),
    Topic("agriculture", "Agriculture", "Farming.", ("farm*", "tea"), ("wind farm*",)),
    Topic("technology", "Technology", "Tech.", ("AI", "battery", "batteries")),
    Topic("energy", "Energy", "Power.", ("wind farm*", "electricity")),
]


@pytest.fixture()
def con():
    models = load_models(SQL_DIR)
    con = duckdb.connect(":memory:")
    run_ddl(con, models)
    seed_topics(con, TOPICS)
    yield con, models
    con.close()


def add_document(con, path: str, title: str, body: str) -> None:
    con.execute(
        "insert into raw.documents values (?, ?, null, null, ?, ?, ?, ?, 'v1')",
        [path, title, date(2024, 5, 1), body, path, datetime(2024, 5, 1)],
    )


def add_metric(con, path: str, body: str, text: str, subject: str | None, ordinal: int) -> None:
    start = body.index(text)
    con.execute(
        "insert into raw.metrics values (?, ?, ?, ?, 1.0, null, null, 'x', 'exact', null, ?, null, null, false, "
        "'level', null)",
        [path, ordinal, start, start + len(text), subject],
    )


def metric_topics(con) -> dict[str, dict[str, str]]:
    rows = con.execute(
        "select m.mention_text, b.topic_id, b.matched_on from marts.fct_metric m "
        "left join marts.bridge_metric_topic b using (metric_id)"
    ).fetchall()
    found: dict[str, dict[str, str]] = {}
    for text, topic, matched_on in rows:
        found.setdefault(text, {})
        if topic:
            found[text][topic] = matched_on
    return found


BODY = (
    "The county built 12 homestays in 2023. Prices rose 6.5 percent in the U.S. market, said Ai Weiwei.\n"
    "A wind farm of 300 turbines opened. Tea growers sold 40 tonnes of tea.\n"
    "Exports of AI chips and batteries reached 7 billion yuan. Nothing else happened here."
)


def test_figures_get_topics_from_subject_or_sentence_and_nothing_else(con):
    con, models = con
    add_document(con, "a.txt", "County news", BODY)
    add_metric(con, "a.txt", BODY, "12 homestays", "homestays", 0)
    add_metric(con, "a.txt", BODY, "6.5 percent", "Prices", 1)
    add_metric(con, "a.txt", BODY, "300 turbines", None, 2)
    add_metric(con, "a.txt", BODY, "40 tonnes", "tea", 3)
    add_metric(con, "a.txt", BODY, "7 billion yuan", "Exports", 4)
    run_transforms(con, models)
    found = metric_topics(con)
    assert found["12 homestays"] == {"tourism": "subject"}
    # The sentence ends at "market, said Ai Weiwei." (6.5 and U.S. are not ends); "Ai" is not the acronym AI.
    assert found["6.5 percent"] == {}
    # "wind farm" is energy, and excluded from agriculture; the next sentence's "Tea" is not this figure's.
    assert found["300 turbines"] == {"energy": "sentence"}
    assert found["40 tonnes"] == {"agriculture": "subject"}
    assert found["7 billion yuan"] == {"technology": "sentence"}
    sentence = con.execute("select sentence from marts.metrics_enriched where mention_text = '6.5 percent'").fetchone()[
        0
    ]
    assert sentence == "Prices rose 6.5 percent in the U.S. market, said Ai Weiwei."
    labels = con.execute("select topic_labels from marts.metrics_enriched where mention_text = '12 homestays'")
    assert labels.fetchone()[0] == ["Tourism"]


def test_documents_get_topics_from_title_or_two_body_matches(con):
    con, models = con
    add_document(con, "title.txt", "Homestays boom", "Nothing about it here.")
    add_document(con, "twice.txt", "County news", "Farmers met. The farm grew.")
    add_document(con, "once.txt", "County news", "One farmer came.")
    add_document(con, "wind.txt", "County news", "The wind farm and another wind farm opened.")
    run_transforms(con, models)
    rows = con.execute(
        "select d.source_path, b.topic_id, b.matched_in, b.title_matches, b.body_matches "
        "from marts.bridge_document_topic b join marts.dim_document d using (document_id) order by 1, 2"
    ).fetchall()
    assert rows == [
        ("title.txt", "tourism", "title", 1, 0),
        ("twice.txt", "agriculture", "body", 0, 2),
        ("wind.txt", "energy", "body", 0, 2),
    ]


def test_dim_topic_lists_keywords_and_a_pattern_duckdb_accepts(con):
    con, models = con
    run_transforms(con, models)
    rows = con.execute("select topic_id, keywords, excludes, pattern from marts.dim_topic order by sort_order")
    rows = rows.fetchall()
    assert [r[0] for r in rows] == ["tourism", "agriculture", "technology", "energy"]
    assert rows[1][1] == ["farm*", "tea"] and rows[1][2] == ["wind farm*"]
    assert con.execute("select regexp_matches('Tourists came', ?)", [rows[0][3]]).fetchone()[0] is True


def test_the_shipped_taxonomy_compiles_in_duckdb(con):
    con, models = con
    seed_topics(con)
    run_transforms(con, models)
    patterns = con.execute("select pattern, exclude_pattern from marts.dim_topic").fetchall()
    assert len(patterns) == len(load_taxonomy())
    for pattern, exclude in patterns:
        con.execute("select regexp_matches('x', ?), regexp_matches('x', coalesce(?, 'x'))", [pattern, exclude])
