"""The catalog: every published column described in the built warehouse, and the data dictionary kept current."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.catalog import (
    DICTIONARY_FILE,
    DOCUMENTED_SCHEMAS,
    Catalog,
    apply_catalog,
    catalog_for,
    generate_dictionary,
    reference_warehouse,
)
from flows.sqlmodels import load_models
from tests.analyst_warehouse import analyst_warehouse
from tests.conftest import SQL_DIR


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return catalog_for(load_models(SQL_DIR))


def undescribed(con) -> list[tuple]:
    return con.execute(
        """
        select schema_name, table_name, column_name from duckdb_columns()
        where database_name = current_database() and schema_name in ('marts', 'ops')
          and coalesce(trim(comment), '') = ''
        union all
        select schema_name, table_name, '(table)' from duckdb_tables()
        where database_name = current_database() and schema_name in ('marts', 'ops')
          and coalesce(trim(comment), '') = ''
        union all
        select schema_name, view_name, '(view)' from duckdb_views()
        where database_name = current_database() and schema_name in ('marts', 'ops') and not internal
          and coalesce(trim(comment), '') = ''
        """
    ).fetchall()


@pytest.mark.slow
def test_every_published_relation_and_column_is_described_in_a_built_warehouse(prefect_server, tmp_path_factory):
    warehouse = analyst_warehouse(tmp_path_factory)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert undescribed(con) == []
        comment = con.execute(
            "select comment from duckdb_columns() where schema_name = 'marts' and table_name = 'fct_metric' "
            "and column_name = 'value'"
        ).fetchone()[0]
        assert "canonical units" in comment
        # Raw state tables are described too, though analysts rarely need them.
        assert con.execute("select comment from duckdb_tables() where table_name = 'documents'").fetchone()[0]
    finally:
        con.close()


def test_reference_build_is_fully_described():
    con = reference_warehouse()
    try:
        assert undescribed(con) == []
    finally:
        con.close()


def test_catalog_names_only_relations_and_columns_that_exist(catalog: Catalog):
    con = reference_warehouse()
    try:
        existing = {
            f"{s}.{t}": {
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ?", [s, t]
                ).fetchall()
            }
            for s, t in con.execute("select schema_name, table_name from duckdb_columns() group by all").fetchall()
        }
    finally:
        con.close()
    stale = [r for r in catalog.relations if r.split(".")[0] in DOCUMENTED_SCHEMAS and r not in existing]
    stale += [
        f"{r}.{c}"
        for r, columns in catalog.columns.items()
        if r.split(".")[0] in DOCUMENTED_SCHEMAS
        for c in columns
        if c not in existing.get(r, set())
    ]
    assert stale == []


def test_committed_data_dictionary_is_what_the_generator_writes():
    committed = DICTIONARY_FILE.read_text(encoding="utf-8")
    assert committed == generate_dictionary(), "docs/data-dictionary.md is stale: run `ruralpulse docs`"
    assert "## marts.metrics_enriched" in committed and "| `sentence` | `VARCHAR` |" in committed


def test_comments_survive_quotes_and_report_missing_columns(tmp_path: Path):
    con = duckdb.connect(":memory:")
    con.execute('create schema marts; create table marts.t (a integer, "value" double, b varchar)')
    catalog = Catalog(
        relations={"marts.t": "A table's description"},
        columns={"marts.t": {"value": "it's a value"}},
        common={"a": "shared a"},
    )
    missing = apply_catalog(con, catalog)
    assert missing == ["marts.t.b"]
    comments = dict(con.execute("select column_name, comment from duckdb_columns() where table_name = 't'").fetchall())
    assert comments == {"a": "shared a", "value": "it's a value", "b": None}
    assert (
        con.execute("select comment from duckdb_tables() where table_name = 't'").fetchone()[0]
        == "A table's description"
    )
