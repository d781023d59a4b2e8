"""The Great Expectations gate: a valid warehouse passes, each kind of corruption fails by name."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from hashlib import sha256
from pathlib import Path

import duckdb
import pytest

from flows.validate import (
    ExpectationOutcome,
    ValidationReport,
    WarehouseInUseError,
    load_suites,
    validate_warehouse,
)

SUITES = Path(__file__).resolve().parents[1] / "expectations"
PUBLISHED = {"dim_document", "dim_entity", "fct_entity_mention", "fct_metric", "fct_quote", "rejected_documents"}
# Analyst relations built from the marts above; tests/test_views_examples.py validates them on a real build.
ANALYST = {
    "dim_topic",
    "bridge_metric_topic",
    "bridge_document_topic",
    "metrics_enriched",
    "entity_profile",
    "quotes_enriched",
}

BODY_D1 = (
    'Liu Xiabing, a professor at Renmin University, said "Sales rose sharply this year." '
    "Sales reached about 6 million yuan (about 841,432 U.S. dollars) in 2023, "
    "and between 2,000 and 3,000 households took part, up 5 percent."
)
# Non-ASCII before the spans: offsets are code points, as in Python and DuckDB's substr/length.
BODY_D2 = "Guangxi’s farmers — “new farmers” — sold 15,000 lipstick tubes online."

SCHEMA = """
create schema marts;
create table marts.dim_document (
    document_id varchar, source_path varchar, title varchar, publisher varchar, url varchar,
    published_date date, body varchar, content_sha256 varchar, char_count integer, ingested_at timestamp);
create table marts.dim_entity (
    entity_id varchar, entity_type varchar, canonical_name varchar, age integer, role varchar, affiliation varchar);
create table marts.fct_entity_mention (
    document_id varchar, entity_id varchar, char_start integer, char_end integer, mention_text varchar);
create table marts.fct_metric (
    metric_id varchar, document_id varchar, char_start integer, char_end integer, mention_text varchar,
    value double, value_low double, value_high double, unit varchar, qualifier varchar, period varchar,
    subject varchar, period_start date, period_end date, is_projection boolean, metric_kind varchar,
    equivalent_of_metric_id varchar);
create table marts.fct_quote (
    quote_id varchar, document_id varchar, speaker_entity_id varchar, quote_text varchar,
    char_start integer, char_end integer);
create table marts.rejected_documents (source_path varchar, line integer, reason varchar, detected_at timestamp);
"""


def span(body: str, text: str) -> tuple[int, int, str]:
    """The (start, end, text) of the first occurrence of text in body."""
    start = body.index(text)
    return start, start + len(text), text


def build_valid_warehouse(path: Path) -> None:
    """A small warehouse that honours every rule of the contract."""
    now = datetime(2024, 5, 1, 12, 0)
    documents = [
        ("d1", "news/liu.md", "Liu on rural sales", "Xinhua", None, date(2024, 1, 2), BODY_D1),
        ("d2", "feed.jsonl#2", "Guangxi sales", None, "https://example.org/a", None, BODY_D2),
    ]
    entities = [
        ("e1", "person", "Liu Xiabing", 58, "professor", "Renmin University"),
        ("e2", "organization", "Renmin University", None, None, None),
        ("e3", "place", "Guangxi Zhuang Autonomous Region", None, None, None),
    ]
    mentions = [
        ("d1", "e1", *span(BODY_D1, "Liu Xiabing")),
        ("d1", "e2", *span(BODY_D1, "Renmin University")),
        ("d2", "e3", *span(BODY_D2, "Guangxi")),
    ]
    year_2023 = (date(2023, 1, 1), date(2023, 12, 31))
    metrics = [
        (
            "m1",
            "d1",
            *span(BODY_D1, "about 6 million yuan"),
            6e6,
            None,
            None,
            "CNY",
            "approximate",
            None,
            "sales",
            *year_2023,
            False,
            "level",
            None,
        ),
        (
            "m2",
            "d1",
            *span(BODY_D1, "about 841,432 U.S. dollars"),
            841432.0,
            None,
            None,
            "USD",
            "approximate",
            None,
            "sales",
            *year_2023,
            False,
            "level",
            "m1",
        ),
        (
            "m3",
            "d1",
            *span(BODY_D1, "between 2,000 and 3,000 households"),
            2500.0,
            2000.0,
            3000.0,
            "household",
            "exact",
            None,
            None,
            None,
            None,
            False,
            "level",
            None,
        ),
        (
            "m4",
            "d1",
            *span(BODY_D1, "up 5 percent"),
            5.0,
            None,
            None,
            "percent",
            "exact",
            "year",
            None,
            None,
            None,
            False,
            "change",
            None,
        ),
        (
            "m5",
            "d2",
            *span(BODY_D2, "15,000 lipstick tubes"),
            15000.0,
            None,
            None,
            "lipstick tube",
            "exact",
            None,
            None,
            None,
            None,
            False,
            "level",
            None,
        ),
    ]
    quote_start, quote_end, quote_text = span(BODY_D1, "Sales rose sharply this year.")
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA)
        con.executemany(
            "insert into marts.dim_document values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*doc, sha256(doc[-1].encode()).hexdigest(), len(doc[-1]), now) for doc in documents],
        )
        con.executemany("insert into marts.dim_entity values (?, ?, ?, ?, ?, ?)", entities)
        con.executemany("insert into marts.fct_entity_mention values (?, ?, ?, ?, ?)", mentions)
        con.executemany(f"insert into marts.fct_metric values ({', '.join('?' * 17)})", metrics)
        con.execute(
            "insert into marts.fct_quote values ('q1', 'd1', 'e1', ?, ?, ?)", [quote_text, quote_start, quote_end]
        )
        con.execute(
            "insert into marts.rejected_documents values ('bad.bin', null, 'binary file', ?), "
            "('feed.jsonl', 3, 'invalid JSON', ?)",
            [now, now],
        )


@pytest.fixture(scope="module")
def valid_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("warehouse") / "valid.duckdb"
    build_valid_warehouse(path)
    return path


@pytest.fixture(scope="module")
def valid_report(valid_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    return validate_warehouse(valid_warehouse, only_suite(tmp_path_factory.mktemp("contract"), *PUBLISHED))


def corrupted_copy(valid: Path, tmp_path: Path, sql: str) -> Path:
    path = tmp_path / "corrupted.duckdb"
    shutil.copy(valid, path)
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


def only_suite(tmp_path: Path, *names: str) -> Path:
    """A suites folder holding copies of the named suites, so a case validates only what it corrupts."""
    folder = tmp_path / "suites"
    folder.mkdir()
    for name in names:
        shutil.copy(SUITES / f"{name}.json", folder / f"{name}.json")
    return folder


def test_every_published_relation_has_exactly_one_suite_named_after_it():
    suites = load_suites(SUITES)
    assert sorted(s.name for s in suites) == sorted(PUBLISHED | ANALYST)
    for path in SUITES.glob("*.json"):
        stored = json.loads(path.read_text())
        assert stored["name"] == path.stem
        assert all({"type", "kwargs", "meta"} <= set(e) for e in stored["expectations"])


def test_valid_warehouse_passes_every_suite(valid_report: ValidationReport):
    problems = [(o.suite, o.description, o.error, o.sample) for o in valid_report.failed()]
    assert problems == []
    assert valid_report.success
    assert {o.suite for o in valid_report.outcomes} == PUBLISHED
    assert all(o.error is None for o in valid_report.outcomes)
    assert len(valid_report.outcomes) == sum(len(s.expectations) for s in load_suites(SUITES) if s.name in PUBLISHED)


CORRUPTIONS = {
    "duplicate key": (
        "fct_quote",
        "insert into marts.fct_quote select * from marts.fct_quote where quote_id = 'q1'",
        "expect_column_values_to_be_unique",
        "quote_id is unique",
        "q1",
    ),
    "duplicate compound key": (
        "fct_entity_mention",
        "insert into marts.fct_entity_mention select * from marts.fct_entity_mention where entity_id = 'e2'",
        "expect_compound_columns_to_be_unique",
        "(document_id, entity_id, char_start, char_end) is unique",
        "e2",
    ),
    "null key": (
        "dim_entity",
        "insert into marts.dim_entity values (null, 'place', 'Nowhere County', null, null, null)",
        "expect_column_values_to_not_be_null",
        "entity_id is never null",
        "Nowhere County",
    ),
    "offset past the body": (
        "fct_metric",
        """update marts.fct_metric f set char_end = d.char_count + 3,
               mention_text = substr(d.body, f.char_start + 1, d.char_count + 3 - f.char_start)
           from marts.dim_document d where d.document_id = f.document_id and f.metric_id = 'm5'""",
        "unexpected_rows_expectation",
        "metric span inside the body",
        "m5",
    ),
    "empty quote span": (
        "fct_quote",
        "update marts.fct_quote set char_end = char_start, quote_text = ''",
        "unexpected_rows_expectation",
        "quote span inside the body",
        "q1",
    ),
    "mention_text is not the body slice": (
        "fct_entity_mention",
        "update marts.fct_entity_mention set mention_text = 'Liu' where entity_id = 'e1'",
        "unexpected_rows_expectation",
        "mention_text equals the body slice",
        "body_slice=Liu Xiabing",
    ),
    "bad unit": (
        "fct_metric",
        "update marts.fct_metric set unit = 'Households' where metric_id = 'm3'",
        "unexpected_rows_expectation",
        "unit is an ISO currency code",
        "Households",
    ),
    "bad qualifier": (
        "fct_metric",
        "update marts.fct_metric set qualifier = 'roughly' where metric_id = 'm1'",
        "expect_column_values_to_be_in_set",
        "qualifier in {exact, approximate, over, under}",
        "roughly",
    ),
    "bad period": (
        "fct_metric",
        "update marts.fct_metric set period = 'decade' where metric_id = 'm4'",
        "expect_column_values_to_be_in_set",
        "period is null or in",
        "decade",
    ),
    "value outside its range": (
        "fct_metric",
        "update marts.fct_metric set value_low = 3000, value_high = 4000 where metric_id = 'm3'",
        "unexpected_rows_expectation",
        "a range's value lies between its bounds",
        "m3",
    ),
    "half a range": (
        "fct_metric",
        "update marts.fct_metric set value_high = null where metric_id = 'm3'",
        "unexpected_rows_expectation",
        "value_low and value_high are both null or both set",
        "m3",
    ),
    "period ends before it starts": (
        "fct_metric",
        "update marts.fct_metric set period_start = date '2024-01-01' where metric_id = 'm1'",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "period_start <= period_end",
        "m1",
    ),
    "equivalent metric in another document": (
        "fct_metric",
        "update marts.fct_metric set equivalent_of_metric_id = 'm5' where metric_id = 'm2'",
        "unexpected_rows_expectation",
        "equivalent_of_metric_id resolves to a metric of the same document",
        "m2",
    ),
    "dangling document_id": (
        "fct_quote",
        "update marts.fct_quote set document_id = 'd404'",
        "unexpected_rows_expectation",
        "document_id resolves to marts.dim_document",
        "d404",
    ),
    "dangling entity_id": (
        "fct_entity_mention",
        "update marts.fct_entity_mention set entity_id = 'e404' where entity_id = 'e3'",
        "unexpected_rows_expectation",
        "entity_id resolves to marts.dim_entity",
        "e404",
    ),
    "dangling speaker": (
        "fct_quote",
        "update marts.fct_quote set speaker_entity_id = 'e404'",
        "unexpected_rows_expectation",
        "speaker_entity_id is null or resolves",
        "e404",
    ),
    "affiliation is not an organization": (
        "dim_entity",
        "update marts.dim_entity set affiliation = 'Guangxi Zhuang Autonomous Region' where entity_id = 'e1'",
        "unexpected_rows_expectation",
        "affiliation names an entity of type organization",
        "e1",
    ),
    "bad entity_type": (
        "dim_entity",
        "update marts.dim_entity set entity_type = 'city' where entity_id = 'e3'",
        "expect_column_values_to_be_in_set",
        "entity_type in",
        "city",
    ),
    "empty title": (
        "dim_document",
        "update marts.dim_document set title = '   ' where document_id = 'd2'",
        "unexpected_rows_expectation",
        "every document has a non-empty title",
        "d2",
    ),
    "bad content hash": (
        "dim_document",
        "update marts.dim_document set content_sha256 = 'not-a-hash' where document_id = 'd1'",
        "unexpected_rows_expectation",
        "content_sha256 is 64 hex characters",
        "not-a-hash",
    ),
    "char_count is not the body length": (
        "dim_document",
        "update marts.dim_document set char_count = char_count + 1 where document_id = 'd2'",
        "unexpected_rows_expectation",
        "char_count equals length(body)",
        "d2",
    ),
    "rejection line is not 1-based": (
        "rejected_documents",
        "update marts.rejected_documents set line = 0 where line = 3",
        "expect_column_values_to_be_between",
        "line, when set, is 1-based",
        "feed.jsonl",
    ),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corruption_fails_the_expectation_that_covers_it(valid_warehouse: Path, tmp_path: Path, case: str):
    suite, sql, expectation, description, needle = CORRUPTIONS[case]
    path = corrupted_copy(valid_warehouse, tmp_path, sql)

    report = validate_warehouse(path, only_suite(tmp_path, suite))

    assert not report.success
    failed = report.failed()
    assert [(o.expectation, o.description.startswith(description)) for o in failed] == [(expectation, True)], [
        (o.expectation, o.description, o.error) for o in failed
    ]
    outcome = failed[0]
    assert outcome.suite == suite
    assert outcome.error is None
    assert outcome.unexpected_count and outcome.unexpected_count >= 1
    assert any(needle in sample for sample in outcome.sample), outcome.sample


def test_missing_relation_fails_with_a_clear_message(valid_warehouse: Path, tmp_path: Path):
    path = corrupted_copy(valid_warehouse, tmp_path, "drop table marts.fct_quote")

    report = validate_warehouse(path, only_suite(tmp_path, "fct_quote", "dim_entity"))

    assert not report.success
    [failure] = report.failed()
    assert failure.suite == "fct_quote"
    assert "marts.fct_quote does not exist" in failure.error
    assert any(o.suite == "dim_entity" and o.success for o in report.outcomes)


def test_missing_column_is_named(valid_warehouse: Path, tmp_path: Path):
    path = corrupted_copy(valid_warehouse, tmp_path, "alter table marts.fct_quote drop column speaker_entity_id")

    report = validate_warehouse(path, only_suite(tmp_path, "fct_quote"))

    columns = next(o for o in report.failed() if o.expectation == "expect_table_columns_to_match_set")
    assert columns.sample == ["missing column speaker_entity_id"]


def test_an_expectation_that_cannot_be_evaluated_fails(valid_warehouse: Path, tmp_path: Path):
    folder = tmp_path / "suites"
    folder.mkdir()
    broken = {
        "name": "fct_quote",
        "meta": {},
        "expectations": [
            # GX has no regex support for the duckdb dialect: it must surface as an error, not a pass.
            {
                "type": "expect_column_values_to_match_regex",
                "kwargs": {"column": "quote_id", "regex": "^q"},
                "meta": {},
            },
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {"unexpected_rows_query": "select no_such_column from {batch}"},
                "meta": {},
                "description": "refers to a column that does not exist",
            },
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}, "meta": {}},
        ],
    }
    (folder / "fct_quote.json").write_text(json.dumps(broken))

    report = validate_warehouse(valid_warehouse, folder)

    assert not report.success
    assert len(report.failed()) == 3
    assert all(o.error for o in report.failed()), report.failed()
    assert "Regex is not supported" in next(o.error for o in report.failed() if o.column == "quote_id")


def test_the_file_is_released_after_validation(valid_warehouse: Path, tmp_path: Path):
    path = tmp_path / "private.duckdb"
    shutil.copy(valid_warehouse, path)

    validate_warehouse(path, only_suite(tmp_path, "dim_document", "fct_metric"))

    # DuckDB refuses a read-write connection in this process while a read-only one is still open.
    with duckdb.connect(str(path)) as con:
        con.execute("create table marts.published_marker as select 1 as ok")
    published = tmp_path / "published.duckdb"
    path.rename(published)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select ok from marts.published_marker").fetchone() == (1,)


def test_a_file_held_open_by_the_caller_is_refused_clearly(valid_warehouse: Path, tmp_path: Path):
    path = tmp_path / "building.duckdb"
    shutil.copy(valid_warehouse, path)
    suites = only_suite(tmp_path, "dim_document")

    with duckdb.connect(str(path)) as builder:
        # DuckDB cannot add a read-only connection next to an open read-write one in one process.
        with pytest.raises(WarehouseInUseError, match="close every connection"):
            validate_warehouse(path, suites)
        assert builder.execute("select count(*) from marts.dim_document").fetchone() == (2,)

    assert validate_warehouse(path, suites).success


def test_markdown_report_lists_failures_first_with_samples(valid_warehouse: Path, tmp_path: Path):
    path = corrupted_copy(
        valid_warehouse, tmp_path, "update marts.fct_metric set qualifier = 'roughly' where metric_id = 'm1'"
    )
    report = validate_warehouse(path, only_suite(tmp_path, "fct_metric", "dim_document"))

    markdown = report.to_markdown()

    assert markdown.startswith("# Data quality report: FAILED")
    assert markdown.index("## fct_metric: 1 failed") < markdown.index("## dim_document: all passed")
    metric_section = markdown[markdown.index("## fct_metric") : markdown.index("## dim_document")]
    rows = [line for line in metric_section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows[0].startswith("| FAIL | expect_column_values_to_be_in_set | qualifier |")
    assert "qualifier=roughly" in rows[0]
    assert all(row.startswith("| pass") for row in rows[1:])


def test_report_helpers():
    failing = ExpectationOutcome("s", "t", None, "rule | with pipe", False, 2, ["a"], None)
    passing = ExpectationOutcome("s", "t", "c", "other", True, 0, [], None)
    report = ValidationReport(success=False, outcomes=[passing, failing], run_at=datetime(2024, 1, 1))
    assert report.failed() == [failing]
    assert "rule \\| with pipe" in report.to_markdown()


def test_data_docs_are_built_when_asked(valid_warehouse: Path, tmp_path: Path):
    docs = tmp_path / "docs"

    report = validate_warehouse(valid_warehouse, only_suite(tmp_path, "dim_entity"), data_docs_dir=docs)

    assert report.success
    assert (docs / "index.html").is_file()
    assert list((docs / "validations" / "dim_entity").rglob("*.html"))


CHANGED_D2 = """
create schema ops;
create table ops.meta (key varchar, value varchar);
insert into ops.meta values ('validation_scope', 'changed_documents');
create table ops.changed_documents as select 'd2' as document_id;
"""


@pytest.mark.parametrize(("document", "caught"), [("d2", True), ("d1", False)], ids=["changed", "unchanged"])
def test_an_incremental_build_checks_keys_within_a_document_on_the_changed_documents(
    valid_warehouse: Path, tmp_path: Path, document: str, caught: bool
):
    """metric_id never spans documents: a duplicate lies within one, and unchanged documents passed when published."""
    suites = only_suite(tmp_path, "fct_metric")
    duplicate = f"insert into marts.fct_metric select * from marts.fct_metric where document_id = '{document}' limit 1"
    path = corrupted_copy(valid_warehouse, tmp_path, CHANGED_D2 + duplicate)

    report = validate_warehouse(path, suites)

    assert [o.expectation for o in report.failed()] == (["expect_column_values_to_be_unique"] if caught else [])
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute(f"select count(*) from marts.fct_metric where document_id = '{document}'").fetchone()[0] > 1
