"""Topics: the taxonomy file's rules, keyword patterns, the tagger the extraction workers run (documents, figures,
sentence bounds), its agreement with the RE2 patterns DuckDB publishes, the SQL joins, and re-tagging on edit."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flows.topics
from flows.batches import OUTPUT_SCHEMAS, add_extraction_rows
from flows.catalog import seed_topics
from flows.sqlmodels import load_models, run_ddl, run_transforms
from flows.topics import (
    TAXONOMY_FILE,
    TaxonomyError,
    Topic,
    TopicTagger,
    extraction_version,
    keyword_pattern,
    load_taxonomy,
    python_pattern,
    sentence_bounds,
    tagger_for,
    taxonomy_hash,
)
from tests.conftest import SEEDS, SQL_DIR

KEYWORD_CASES = [
    ("touris*", ["Tourism", "tourists", "TOURIST"], ["detour", "tour"]),
    ("tea", ["tea", "Tea gardens"], ["team", "steam", "teas"]),
    ("e commerce", ["e-commerce", "E commerce", "e - commerce"], ["ecommerce", "e-commerces"]),
    ("live stream*", ["live-streaming", "live streams"], ["livestream", "alive stream"]),
    ("AI", ["AI chips", "(AI)"], ["Ai Weiwei", "said ai", "AIDS"]),
    ("R&D", ["R&D spending"], ["r&d"]),
    ("JD.com", ["on JD.com today", "jd.com"], ["JDxcom"]),
]


@pytest.mark.parametrize(("keyword", "matches", "misses"), KEYWORD_CASES)
def test_keyword_pattern_matches_whole_words(keyword, matches, misses):
    for pattern in (
        re.compile("(?i)(?:" + keyword_pattern(keyword) + ")"),
        re.compile("(?:" + python_pattern(keyword) + ")", flows.topics.FLAGS),
    ):
        for text in matches:
            assert pattern.search(text), (keyword, text)
        for text in misses:
            assert not pattern.search(text), (keyword, text)


@pytest.mark.parametrize(("keyword", "matches", "misses"), KEYWORD_CASES)
def test_keyword_pattern_means_the_same_in_duckdb(keyword, matches, misses):
    con = duckdb.connect(":memory:")
    pattern = "(?i)(?:" + keyword_pattern(keyword) + ")"
    for text in matches:
        assert con.execute("select regexp_matches(?, ?)", [text, pattern]).fetchone()[0], (keyword, text)
    for text in misses:
        assert not con.execute("select regexp_matches(?, ?)", [text, pattern]).fetchone()[0], (keyword, text)


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


def test_more_topics_than_the_marts_can_hold_are_refused(tmp_path: Path):
    entries = [f'[[topic]]\nid = "t{i}"\nlabel = "x"\ndescription = "x"\nkeywords = ["w{i}"]\n' for i in range(128)]
    path = tmp_path / "topics.toml"
    path.write_text("".join(entries))
    with pytest.raises(TaxonomyError, match="at most 127"):
        load_taxonomy(path)
    path.write_text("".join(entries[:127]))
    assert len(load_taxonomy(path)) == 127


TOPICS = [
    Topic("tourism", "Tourism", "Visitors.", ("touris*", "homestay*")),
    Topic("agriculture", "Agriculture", "Farming.", ("farm*", "tea"), ("wind farm*",)),
    Topic("technology", "Technology", "Tech.", ("AI", "battery", "batteries")),
    Topic("energy", "Energy", "Power.", ("wind farm*", "electricity")),
]
TAGGER = TopicTagger(TOPICS)

BODY = (
    "The county built 12 homestays in 2023. Prices rose 6.5 percent in the U.S. market, said Ai Weiwei.\n"
    "A wind farm of 300 turbines opened. Tea growers sold 40 tonnes of tea.\n"
    "Exports of AI chips and batteries reached 7 billion yuan. Nothing else happened here."
)


def sentence_of(body: str, figure: str) -> str:
    start = body.index(figure)
    s, e = sentence_bounds(body, start, start + len(figure))
    return body[s:e]


def figure_topics(body: str, figure: str, subject: str | None) -> dict[str, str]:
    return {t.topic_id: t.matched_on for t in TAGGER.metric_topics(subject, sentence_of(body, figure))}


# --- Sentence bounds ---------------------------------------------------------------------------------------------


def test_sentence_runs_from_the_last_end_before_the_figure_to_the_first_after():
    # 6.5 and U.S. are not sentence ends; the sentence is "... said Ai Weiwei." without the space after it.
    assert sentence_of(BODY, "6.5 percent") == "Prices rose 6.5 percent in the U.S. market, said Ai Weiwei."
    assert sentence_of(BODY, "12 homestays") == "The county built 12 homestays in 2023."
    # A line break ends a sentence too.
    assert sentence_of(BODY, "300 turbines") == "A wind farm of 300 turbines opened."
    assert sentence_of(BODY, "7 billion yuan") == "Exports of AI chips and batteries reached 7 billion yuan."


@pytest.mark.parametrize(
    ("body", "figure", "sentence"),
    [
        ("Sales hit 5 tonnes", "5 tonnes", "Sales hit 5 tonnes"),  # no end on either side: the whole text
        ('He said: "We sold 40 tonnes." Then he left.', "40 tonnes", 'He said: "We sold 40 tonnes."'),
        ("First line\n  Up 3 percent!  Next.", "3 percent", "Up 3 percent!"),
        ("It rose (by 2 percent). Done.", "2 percent", "It rose (by 2 percent)."),
        ("Hi. Up 9 percent. B.", "9 percent", "Up 9 percent."),
        ("A. Up 9 percent. B.", "9 percent", "A. Up 9 percent."),  # a single capital (an initial) ends nothing
        ("Up to 7 km\nnext line.", "7 km", "Up to 7 km"),
        ("x" * 700 + " 4 tonnes " + "y" * 700, "4 tonnes", "x" * 599 + " 4 tonnes " + "y" * 599),
    ],
)
def test_sentence_bounds_edge_cases(body: str, figure: str, sentence: str):
    assert sentence_of(body, figure) == sentence


# The rule as the SQL had it (RE2 in DuckDB), kept here as the reference the Python rule must agree with.
SQL_SENTENCE = r"""
with windows as (
    select
        $body as body, $start as char_start, $end as char_end,
        substr($body, greatest($start - 600, 0) + 1, $start - greatest($start - 600, 0)) as text_before,
        substr($body, $end + 1, 600) as text_after
),
edges as (
    select *,
        regexp_replace(regexp_extract(
            text_before, '^(?:(?s:.*)(?:(?:[^.\s]{2}|[a-z0-9%)])[.!?]["”’)]*\s|\n))?(.*)$', 1), '^\s+', ''
        ) as lead_text,
        regexp_replace(coalesce(nullif(regexp_extract(
            text_after, '^(?:|[^\n]*?(?:[^.\s]{2}|[a-z0-9%)]))[.!?]["”’)]*(?:\s|$)'), ''),
            regexp_extract(text_after, '^[^\n]*')), '\s+$', '') as tail_text
    from windows
)
select (char_start - length(lead_text))::integer, (char_end + length(tail_text))::integer from edges
"""

TEXT_PIECES = st.sampled_from(
    [
        "a",
        "Ab",
        "U.S.",
        "S",
        ".",
        "!",
        "?",
        " ",
        "  ",
        "\n",
        '"',
        "\u201d",
        "\u2019",
        ")",
        "(",
        "%",
        "7",
        "3.5",
        "\u00e9",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.lists(TEXT_PIECES, max_size=40), after=st.lists(TEXT_PIECES, max_size=40))
def test_sentence_bounds_agree_with_the_sql_rule(before, after):
    con = _duckdb()
    figure = "12 tonnes"
    body = "".join(before) + figure + "".join(after)
    start = len("".join(before))
    expected = con.execute(SQL_SENTENCE, {"body": body, "start": start, "end": start + len(figure)}).fetchone()
    assert sentence_bounds(body, start, start + len(figure)) == expected


_CON: list[duckdb.DuckDBPyConnection] = []


def _duckdb() -> duckdb.DuckDBPyConnection:
    if not _CON:
        _CON.append(duckdb.connect(":memory:"))
    return _CON[0]


# --- The tagger --------------------------------------------------------------------------------------------------


def test_figures_get_topics_from_subject_or_sentence_and_nothing_else():
    assert figure_topics(BODY, "12 homestays", "homestays") == {"tourism": "subject"}
    # "Ai" is not the acronym AI; nothing in "Prices" or the sentence names a topic.
    assert figure_topics(BODY, "6.5 percent", "Prices") == {}
    # "wind farm" is energy, and excluded from agriculture; the next sentence's "Tea" is not this figure's.
    assert figure_topics(BODY, "300 turbines", None) == {"energy": "sentence"}
    assert figure_topics(BODY, "40 tonnes", "tea") == {"agriculture": "subject"}
    assert figure_topics(BODY, "7 billion yuan", "Exports") == {"technology": "sentence"}


def test_a_figure_keeps_the_words_that_matched_longest_first():
    topics = TAGGER.metric_topics("Wind-farm output", "Wind-farm output of 3 GW, and farmers' tea.")
    assert [(t.topic_id, t.matched_on, t.matched_text) for t in topics] == [
        ("agriculture", "sentence", "farmers"),
        ("energy", "subject", "Wind-farm"),
    ]


def test_documents_get_topics_from_title_or_two_body_matches():
    def tags(title: str, body: str) -> list[tuple]:
        return [
            (t.topic_id, t.matched_in, t.title_matches, t.body_matches, t.matched_text)
            for t in TAGGER.document_topics(title, body)
        ]

    assert tags("Homestays boom", "Nothing about it here.") == [("tourism", "title", 1, 0, "Homestays")]
    assert tags("County news", "Farmers met. The farm grew.") == [("agriculture", "body", 0, 2, "Farmers")]
    assert tags("County news", "One farmer came.") == []
    assert tags("County news", "The wind farm and another wind farm opened.") == [("energy", "body", 0, 2, "wind farm")]
    # The title's words are the matched text even when the body has more.
    assert tags("Tea prices", "Tea and tea and tea.") == [("agriculture", "title", 1, 3, "Tea")]


# Texts built from words near the keywords, to compare every count and first match with DuckDB's RE2.
WORDS = st.sampled_from(
    [
        "farm",
        "Farmers",
        "wind",
        "farm",
        "Wind-farm",
        "tea",
        "Tea",
        "team",
        "AI",
        "Ai",
        "ai",
        "touris",
        "Tourism",
        "homestay",
        "batteries",
        "battery",
        "electricity",
        "x",
        "_farm",
        "farm_",
        "caf\u00e9",
        "\u00e9farm",
        "5",
    ]
)
SEPARATORS = st.sampled_from([" ", "  ", "-", " - ", "\n", ". ", ", ", "", "\t"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.tuples(WORDS, SEPARATORS), max_size=25))
def test_tagger_agrees_with_the_published_re2_patterns(parts):
    con = _topic_patterns()
    text = "".join(w + s for w, s in parts)
    rows = con.execute(
        """
        select topic_id,
               len(regexp_extract_all(coalesce(regexp_replace($t, exclude_pattern, ' ', 'g'), $t), pattern)),
               nullif(regexp_extract(coalesce(regexp_replace($t, exclude_pattern, ' ', 'g'), $t), pattern), '')
        from marts.dim_topic order by sort_order
        """,
        {"t": text},
    ).fetchall()
    expected_docs = [(tid, n, first) for tid, n, first in rows if n >= 2]
    got_docs = [(t.topic_id, t.body_matches, t.matched_text) for t in TAGGER.document_topics("", text)]
    assert got_docs == expected_docs
    expected_figures = [(tid, first) for tid, _n, first in rows if first is not None]
    got_figures = [(t.topic_id, t.matched_text) for t in TAGGER.metric_topics(None, text)]
    assert got_figures == expected_figures


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.tuples(WORDS, st.sampled_from([" ", "-", "\n", ". ", "! ", ", ", ""])), min_size=1, max_size=40),
    picks=st.lists(st.tuples(st.integers(0, 39), st.sampled_from([None, "farm output", "wind farm", "AI", "x"]))),
)
def test_figures_of_a_body_get_what_each_figure_gets_alone(parts, picks):
    # figure_topics shares scans between a body's figures; the result must be metric_topics on each sentence.
    body, spans = "", []
    for word, separator in parts:
        spans.append((len(body), len(body) + len(word)))
        body += word + separator
    figures = [(*spans[i % len(spans)], subject) for i, subject in picks]
    expected = []
    for start, end, subject in figures:
        s, e = sentence_bounds(body, start, end)
        expected.append((s, e, TAGGER.metric_topics(subject, body[s:e])))
    assert TAGGER.figure_topics(body, figures) == expected


_TOPIC_CON: list[duckdb.DuckDBPyConnection] = []


def _topic_patterns() -> duckdb.DuckDBPyConnection:
    if not _TOPIC_CON:
        models = load_models(SQL_DIR)
        con = duckdb.connect(":memory:")
        run_ddl(con, models)
        seed_topics(con, TOPICS)
        run_transforms(con, models)
        _TOPIC_CON.append(con)
    return _TOPIC_CON[0]


def test_the_shipped_taxonomy_agrees_with_duckdb_on_the_sample_article():
    con = duckdb.connect(":memory:")
    models = load_models(SQL_DIR)
    run_ddl(con, models)
    seed_topics(con)
    run_transforms(con, models)
    body = next(SEEDS.iterdir()).read_text(encoding="utf-8")
    rows = con.execute(
        """
        select topic_id,
               len(regexp_extract_all(coalesce(regexp_replace($t, exclude_pattern, ' ', 'g'), $t), pattern)),
               nullif(regexp_extract(coalesce(regexp_replace($t, exclude_pattern, ' ', 'g'), $t), pattern), '')
        from marts.dim_topic order by sort_order
        """,
        {"t": body},
    ).fetchall()
    tagger = tagger_for()
    assert [t.topic_id for t in tagger.topics] == [r[0] for r in rows]
    got = [(t.topic_id, t.body_matches, t.matched_text) for t in tagger.document_topics("", body)]
    assert got == [r for r in rows if r[1] >= 2]
    assert len(got) >= 3


# --- The SQL joins -----------------------------------------------------------------------------------------------


@pytest.fixture()
def con():
    models = load_models(SQL_DIR)
    con = duckdb.connect(":memory:")
    run_ddl(con, models)
    seed_topics(con, TOPICS)
    yield con, models
    con.close()


def add_document(con, path: str, title: str, body: str, figures: list[tuple[str, str | None]] = ()) -> None:
    """A document as the extraction workers would load it: its figures, their sentences, and every topic."""
    con.execute(
        "insert into raw.documents values (?, ?, null, null, ?, ?, ?, ?, 'v1')",
        [path, title, date(2024, 5, 1), body, f"sha of {body}", datetime(2024, 5, 1)],
    )
    for t in TAGGER.document_topics(title, body):
        con.execute(
            "insert into raw.document_topics values (?, ?, ?, ?, ?, ?)",
            [path, t.topic_id, t.matched_in, t.title_matches, t.body_matches, t.matched_text],
        )
    for ordinal, (text, subject) in enumerate(figures):
        start = body.index(text)
        end = start + len(text)
        con.execute(
            "insert into raw.metrics values (?, ?, ?, ?, 1.0, null, null, 'x', 'exact', null, ?, null, null, false, "
            "'level', null)",
            [path, ordinal, start, end, subject],
        )
        s, e = sentence_bounds(body, start, end)
        con.execute("insert into raw.metric_sentences values (?, ?, ?, ?)", [path, ordinal, s, e])
        for t in TAGGER.metric_topics(subject, body[s:e]):
            con.execute(
                "insert into raw.metric_topics values (?, ?, ?, ?, ?)",
                [path, ordinal, t.topic_id, t.matched_on, t.matched_text],
            )


def test_bridges_and_enriched_figures_join_the_extracted_rows(con):
    con, models = con
    figures = [("12 homestays", "homestays"), ("6.5 percent", "Prices"), ("300 turbines", None)]
    add_document(con, "a.txt", "Homestays boom", BODY, figures)
    run_transforms(con, models)
    rows = con.execute(
        "select m.mention_text, b.topic_id, b.matched_on, b.matched_text from marts.bridge_metric_topic b "
        "join marts.fct_metric m using (metric_id) order by 1, 2"
    ).fetchall()
    assert rows == [
        ("12 homestays", "tourism", "subject", "homestays"),
        ("300 turbines", "energy", "sentence", "wind farm"),
    ]
    enriched = con.execute(
        "select mention_text, sentence, sentence_start, sentence_end, topics, topic_labels "
        "from marts.metrics_enriched order by char_start"
    ).fetchall()
    assert enriched[1][:2] == ("6.5 percent", "Prices rose 6.5 percent in the U.S. market, said Ai Weiwei.")
    assert BODY[enriched[1][2] : enriched[1][3]] == enriched[1][1]
    assert enriched[0][4:] == (["tourism"], ["Tourism"]) and enriched[1][4:] == ([], [])
    docs = con.execute(
        "select d.source_path, b.topic_id, b.matched_in, b.title_matches, b.body_matches, b.matched_text "
        "from marts.bridge_document_topic b join marts.dim_document d using (document_id) order by 1, 2"
    ).fetchall()
    assert docs == [
        ("a.txt", "agriculture", "body", 0, 2, "Tea"),  # "Tea growers ... of tea"; the wind farm is not farming
        ("a.txt", "technology", "body", 0, 2, "AI"),  # "AI chips and batteries"
        ("a.txt", "tourism", "title", 1, 1, "Homestays"),
    ]


def test_a_duplicate_document_has_no_topics_of_its_own(con):
    con, models = con
    add_document(con, "a.txt", "Homestays", "Farmers met. The farm grew.")
    add_document(con, "b.txt", "Homestays", "Farmers met. The farm grew.")
    run_transforms(con, models)
    rows = con.execute(
        "select d.source_path, b.topic_id from marts.bridge_document_topic b join marts.dim_document d "
        "using (document_id) order by 1, 2"
    ).fetchall()
    assert rows == [("a.txt", "agriculture"), ("a.txt", "tourism")]


def test_figures_with_one_id_get_the_topics_of_the_row_fct_metric_keeps(con):
    con, models = con
    body = "Visitors spent 5 million yuan on tea."
    add_document(
        con, "a.txt", "News", body, [("5 million yuan", "tourism revenue"), ("5 million yuan", "tourism revenue")]
    )
    run_transforms(con, models)
    rows = con.execute("select topic_id, matched_on from marts.bridge_metric_topic order by 1").fetchall()
    assert rows == [("agriculture", "sentence"), ("tourism", "subject")]
    assert con.execute("select count(*) from marts.fct_metric").fetchone()[0] == 1


def test_extraction_rows_fit_the_raw_tables(con):
    con, models = con
    body = next(SEEDS.iterdir()).read_text(encoding="utf-8")
    rows: dict[str, list[dict]] = {kind: [] for kind in OUTPUT_SCHEMAS}
    add_extraction_rows(rows, "seed.txt", body, date(2024, 5, 1), "Rural tourism and e-commerce")
    con.execute(
        "insert into raw.documents values ('seed.txt', 'Rural tourism and e-commerce', null, null, ?, ?, 'x', ?, 'v')",
        [date(2024, 5, 1), body, datetime(2024, 5, 1)],
    )
    for kind, schema in OUTPUT_SCHEMAS.items():
        con.register("extracted", pa.Table.from_pylist(rows[kind], schema=schema))
        con.execute(f"insert into raw.{kind} by name select * from extracted")
        con.unregister("extracted")
    assert len(rows["metric_sentences"]) == len(rows["metrics"]) > 10
    assert {r["topic_id"] for r in rows["document_topics"]} >= {"tourism", "e_commerce"}
    seed_topics(con)
    run_transforms(con, models)
    figures, tagged, sentences = con.execute(
        "select count(*), count(*) filter (where len(topics) > 0), count(sentence) from marts.metrics_enriched"
    ).fetchone()
    assert figures == sentences == len(rows["metrics"]) and tagged > figures / 2
    assert con.execute("select count(*) from marts.bridge_document_topic").fetchone()[0] == len(rows["document_topics"])


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


# --- The taxonomy is part of the extractor version ---------------------------------------------------------------


def test_extractor_version_follows_the_taxonomy_keywords_not_its_wording(tmp_path: Path):
    copy = tmp_path / "topics.toml"
    shutil.copy(TAXONOMY_FILE, copy)
    base = extraction_version("0.2.0", copy)
    assert base.startswith("0.2.0+") and taxonomy_hash(copy) in base
    assert extraction_version("0.2.0", copy) == base and extraction_version("0.3.0", copy) != base
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("# The topic taxonomy", "# Reworded comment", 1).replace("Visitors, travel", "Travel"))
    assert extraction_version("0.2.0", copy) == base, "comments and descriptions do not change any tag"
    copy.write_text(text.replace('"sightseeing", ', '"sightseeing", "pilgrim*", '))
    assert extraction_version("0.2.0", copy) != base
    copy.write_text(text.replace('exclude = ["wind farm*", ', 'exclude = ["wind farm*", "farm animal*", '))
    assert extraction_version("0.2.0", copy) != base
    copy.write_text("not toml [")
    assert extraction_version("0.2.0", copy) != base  # still a version; the run stops where the file is loaded


def test_the_pipeline_records_extractor_and_taxonomy():
    import flows.extract
    import flows.pipeline

    assert extraction_version(flows.extract.EXTRACTOR_VERSION, TAXONOMY_FILE) == flows.pipeline.EXTRACTOR_VERSION


def test_the_tagger_follows_the_file_in_use(tmp_path: Path, monkeypatch):
    copy = tmp_path / "topics.toml"
    shutil.copy(TAXONOMY_FILE, copy)
    monkeypatch.setattr(flows.topics, "TAXONOMY_FILE", copy)
    assert not [t for t in tagger_for().document_topics("Pilgrims", "") if t.topic_id == "tourism"]
    copy.write_text(copy.read_text(encoding="utf-8").replace('"sightseeing", ', '"sightseeing", "pilgrim*", '))
    assert [t.matched_text for t in tagger_for().document_topics("Pilgrims", "") if t.topic_id == "tourism"] == [
        "Pilgrims"
    ]


@pytest.mark.slow
def test_editing_the_taxonomy_retags_every_document_on_the_next_run(run_pipeline, seed_copy, tmp_path, monkeypatch):
    import flows.extract
    import flows.pipeline

    taxonomy = tmp_path / "topics.toml"
    shutil.copy(TAXONOMY_FILE, taxonomy)
    monkeypatch.setattr(flows.topics, "TAXONOMY_FILE", taxonomy)

    def run() -> object:
        # The flow reads the version from its module, computed at import; a new process would compute it afresh.
        monkeypatch.setattr(flows.pipeline, "EXTRACTOR_VERSION", extraction_version(flows.extract.EXTRACTOR_VERSION))
        state = run_pipeline(seed_copy, warehouse)
        assert state.is_completed(), state.message
        return state.result()

    def topics() -> tuple[set, set, set]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            docs = set(con.execute("select topic_id from marts.bridge_document_topic").fetchall())
            figures = set(con.execute("select topic_id, matched_text from marts.bridge_metric_topic").fetchall())
            listed = set(con.execute("select topic_id from marts.dim_topic").fetchall())
            return docs, figures, listed
        finally:
            con.close()

    warehouse = tmp_path / "warehouse" / "ruralpulse.duckdb"
    run()
    docs, figures, listed = topics()
    assert ("tourism",) in docs and ("tourism",) in listed and any(t == "tourism" for t, _ in figures)
    assert ("visits_only",) not in listed

    # A new topic whose keyword the sample article has, and tourism dropped: every document is tagged again.
    text = taxonomy.read_text(encoding="utf-8")
    start = text.index('[[topic]]\nid = "tourism"')
    end = text.index("[[topic]]", start + 1)
    new_topic = (
        '[[topic]]\nid = "visits_only"\nlabel = "Visits"\ndescription = "Visits, counted."\nkeywords = ["visits"]\n\n'
    )
    taxonomy.write_text(text[:start] + new_topic + text[end:], encoding="utf-8")
    summary = run()
    assert summary.documents_reprocessed == summary.documents > 0
    docs, figures, listed = topics()
    assert ("tourism",) not in docs and ("tourism",) not in listed and not any(t == "tourism" for t, _ in figures)
    assert ("visits_only",) in listed and ("visits_only", "visits") in figures

    # Unchanged taxonomy: already current, nothing re-extracted.
    again = run()
    assert again.documents_reprocessed == 0 and again.validation == "unchanged"
