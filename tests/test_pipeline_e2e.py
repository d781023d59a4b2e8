"""The whole flow against a real Prefect server, a real DuckDB file and real Great Expectations suites."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import EXPECTATIONS, copy_published

pytestmark = pytest.mark.slow

CONTRACT = {
    "dim_document": [
        "document_id",
        "source_path",
        "title",
        "publisher",
        "url",
        "published_date",
        "body",
        "content_sha256",
        "char_count",
        "ingested_at",
    ],
    "dim_entity": ["entity_id", "entity_type", "canonical_name", "age", "role", "affiliation"],
    "fct_entity_mention": ["document_id", "entity_id", "char_start", "char_end", "mention_text"],
    "fct_metric": [
        "metric_id",
        "document_id",
        "char_start",
        "char_end",
        "mention_text",
        "value",
        "value_low",
        "value_high",
        "unit",
        "qualifier",
        "period",
        "subject",
        "period_start",
        "period_end",
        "is_projection",
        "metric_kind",
        "equivalent_of_metric_id",
    ],
    "fct_quote": ["quote_id", "document_id", "speaker_entity_id", "quote_text", "char_start", "char_end"],
}
MART_KEYS = {
    "dim_document": "document_id",
    "dim_entity": "entity_id",
    "fct_entity_mention": "mention_id",
    "fct_metric": "metric_id",
    "fct_quote": "quote_id",
    "rejected_documents": "source_path",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every mart's rows, sorted, for comparing runs."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in MART_KEYS}
    finally:
        con.close()


@pytest.fixture()
def published_copy(seed_run, tmp_path) -> tuple[Path, Path]:
    """A private copy of the session's seed run: its source (mtimes kept) and the warehouse it published."""
    return copy_published(seed_run, tmp_path)


def test_seed_run_publishes_the_contract(seed_run):
    state, _, warehouse = seed_run
    assert state.is_completed(), state.message
    summary = state.result()
    assert summary.published and summary.validation == "passed"
    con = duckdb.connect(str(warehouse), read_only=True)
    for table, columns in CONTRACT.items():
        got = [
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ?", [table]
            ).fetchall()
        ]
        assert set(columns) <= set(got), (table, set(columns) - set(got))
    doc = con.execute("select source_path, title, char_count, length(body) from marts.dim_document").fetchall()
    assert doc[0][0] == "000_cf1cc64bdc6ef089.txt" and doc[0][1] and doc[0][2] == doc[0][3]
    for table in ("dim_entity", "fct_entity_mention", "fct_metric", "fct_quote"):
        assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0, table
    bad_spans = con.execute("""select count(*) from marts.fct_metric m join marts.dim_document d using (document_id)
                               where substr(d.body, m.char_start + 1, m.char_end - m.char_start) <> m.mention_text""")
    assert bad_spans.fetchone()[0] == 0
    runs = con.execute("select published, validation_success from ops.runs").fetchall()
    assert runs == [(True, True)]
    assert con.execute("select count(*) from ops.validation_results where success").fetchone()[0] > 0
    con.close()
    # Nothing private is left beside the published file but the run history and lock.
    work = warehouse.parent / ".ruralpulse.duckdb.work"
    assert not any((work / "builds").iterdir()) and not any((work / "scratch").iterdir())


def test_rerun_on_unchanged_input_changes_nothing(run_pipeline, published_copy):
    seed_copy, warehouse = published_copy
    first = snapshot(warehouse)
    second_state = run_pipeline(seed_copy, warehouse)
    assert second_state.is_completed()
    assert second_state.result().documents_unchanged == 1 and second_state.result().documents_new == 0
    assert snapshot(warehouse) == first


def test_failing_expectation_leaves_published_file_untouched(run_pipeline, published_copy, tmp_path):
    seed_copy, warehouse = published_copy
    before = sha256(warehouse)
    strict = tmp_path / "strict-expectations"
    shutil.copytree(EXPECTATIONS, strict)
    suite = json.loads((strict / "dim_document.json").read_text())
    suite["expectations"].append(
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1000}, "meta": {}}
    )
    (strict / "dim_document.json").write_text(json.dumps(suite))
    (seed_copy / "extra.txt").write_text("title: Extra\n\nA new article about 5 villages.\n", encoding="utf-8")
    state = run_pipeline(seed_copy, warehouse, expectations=strict)
    assert state.is_failed()
    assert "validation failed" in state.message
    assert sha256(warehouse) == before
    assert not list((warehouse.parent / ".ruralpulse.duckdb.work" / "builds").iterdir())


def test_reader_holding_the_file_open_neither_blocks_nor_sees_partial_state(run_pipeline, published_copy):
    seed_copy, warehouse = published_copy
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        before = reader.execute("select count(*) from marts.dim_document").fetchone()[0]
        (seed_copy / "more.txt").write_text("title: More\n\nA second article about 12 farms in Yunnan.\n")
        state = run_pipeline(seed_copy, warehouse)
        assert state.is_completed(), state.message
        # The open session keeps its consistent (old) snapshot for as long as it lives.
        assert reader.execute("select count(*) from marts.dim_document").fetchone()[0] == before
    finally:
        reader.close()
    fresh = duckdb.connect(str(warehouse), read_only=True)
    assert fresh.execute("select count(*) from marts.dim_document").fetchone()[0] == before + 1
    fresh.close()
