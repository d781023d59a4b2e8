"""Each SQL model on tiny in-memory fixtures."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from flows.sqlmodels import load_models, models_version, run_ddl, run_transforms

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
T0 = datetime(2024, 5, 1, 12, 0)


@pytest.fixture(scope="module")
def models():
    return load_models(SQL_DIR)


@pytest.fixture()
def con(models):
    con = duckdb.connect(":memory:")
    run_ddl(con, models)
    yield con
    con.close()


def add_document(con, path: str, body: str, sha: str, title: str = "A title") -> None:
    con.execute(
        "insert into raw.documents values (?, ?, 'Xinhua', null, ?, ?, ?, ?, 'v1')",
        [path, title, date(2024, 4, 30), body, sha, T0],
    )


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_models_run_in_dependency_order(models):
    order = [m.relation for m in models]
    assert order.index("staging.stg_documents") < order.index("staging.stg_entities")
    assert order.index("staging.stg_metrics") < order.index("marts.fct_metric")
    assert order.index("raw.documents") < order.index("staging.stg_documents")


def test_version_changes_when_sql_changes(models):
    base = models_version(models)
    altered = [
        m if m.name != "fct_quote" else type(m)(m.schema, m.name, m.path, m.sql + " ", m.materialization)
        for m in models
    ]
    assert models_version(altered) != base
    assert models_version(altered, schema="raw") == models_version(models, schema="raw")


def test_stg_documents_ids_are_stable_and_duplicates_flagged(con, models):
    add_document(con, "b.txt", "Same text.", "s1")
    add_document(con, "a.txt", "Same text.", "s1")
    add_document(con, "c.txt", "Other text.", "s2")
    run_transforms(con, models)
    got = rows(
        con,
        "select source_path, document_id, is_duplicate, original_source_path, char_count "
        "from staging.stg_documents order by source_path",
    )
    assert [r[0] for r in got] == ["a.txt", "b.txt", "c.txt"]
    assert [r[2] for r in got] == [False, True, False]
    assert got[1][3] == "a.txt"
    assert got[0][4] == len("Same text.")
    expected_id = rows(con, "select md5('document|a.txt')")[0][0]
    assert got[0][1] == expected_id


def test_dim_document_excludes_duplicates_and_rejected_lists_them(con, models):
    add_document(con, "a.txt", "Same text.", "s1")
    add_document(con, "b.txt", "Same text.", "s1")
    con.execute("insert into raw.rejections values ('bad.bin', null, 'binary: PNG image', ?)", [T0])
    run_transforms(con, models)
    assert rows(con, "select source_path from marts.dim_document") == [("a.txt",)]
    rejected = rows(con, "select source_path, reason from marts.rejected_documents order by source_path")
    assert rejected == [("b.txt", "duplicate: same body as a.txt"), ("bad.bin", "binary: PNG image")]


def test_dim_entity_takes_fullest_name_and_resolves_affiliation(con, models):
    add_document(con, "a.txt", "Liu Xiabing works at Acme Group.", "s1")
    add_document(con, "b.txt", "Liu spoke.", "s2")
    con.execute("""insert into raw.entities values
        ('a.txt', 'person:liu xiabing', 'person', 'Liu Xiabing', 33, 'founder', 'organization:acme group'),
        ('a.txt', 'organization:acme group', 'organization', 'Acme Group', null, null, null),
        ('b.txt', 'person:liu xiabing', 'person', 'Liu', null, null, null)""")
    run_transforms(con, models)
    got = rows(
        con, "select canonical_name, entity_type, age, role, affiliation from marts.dim_entity order by canonical_name"
    )
    assert got == [
        ("Acme Group", "organization", None, None, None),
        ("Liu Xiabing", "person", 33, "founder", "Acme Group"),
    ]


@pytest.mark.parametrize("order", [1, -1], ids=["as-written", "reversed"])
def test_dim_entity_breaks_a_tie_between_stated_attributes_the_same_way_every_time(con, models, order):
    statements = [("a.txt", "farmer", 40), ("b.txt", "founder", 41), ("c.txt", "founder", 40), ("d.txt", "farmer", 41)]
    for path, role, age in statements[::order]:
        add_document(con, path, f"Wu Fang, {age}, a {role}, spoke.", path)
        con.execute(
            "insert into raw.entities values (?, 'person:wu fang', 'person', 'Wu Fang', ?, ?, null)", [path, age, role]
        )
    run_transforms(con, models)
    # Two statements each: the first role and age in sort order, whichever document was loaded first.
    assert rows(con, "select role, age from marts.dim_entity") == [("farmer", 40)]


def test_fct_entity_mention_slices_body(con, models):
    add_document(con, "a.txt", "Liu Xiabing works at Acme Group.", "s1")
    con.execute("insert into raw.entities values ('a.txt', 'org:acme', 'organization', 'Acme Group', null, null, null)")
    con.execute("insert into raw.mentions values ('a.txt', 'org:acme', 21, 31)")
    run_transforms(con, models)
    assert rows(con, "select mention_text, char_start, char_end from marts.fct_entity_mention") == [
        ("Acme Group", 21, 31)
    ]


def test_fct_metric_links_equivalent_and_keeps_values(con, models):
    body = "Sales hit 6 million yuan (about 841,432 U.S. dollars)."
    add_document(con, "a.txt", body, "s1")
    con.execute("""insert into raw.metrics values
        ('a.txt', 0, 10, 24, 6000000, null, null, 'CNY', 'exact', 'year', 'sales',
         null, null, false, 'level', null),
        ('a.txt', 1, 26, 52, 841432, null, null, 'USD', 'approximate', 'year', 'sales',
         null, null, false, 'level', 0)""")
    run_transforms(con, models)
    got = rows(
        con,
        """select m.mention_text, m.value, e.mention_text from marts.fct_metric m
                       left join marts.fct_metric e on e.metric_id = m.equivalent_of_metric_id order by m.char_start""",
    )
    assert got == [("6 million yuan", 6000000.0, None), ("about 841,432 U.S. dollars", 841432.0, "6 million yuan")]
    assert rows(con, "select count(distinct metric_id) from marts.fct_metric") == [(2,)]


def test_fct_metric_keeps_one_row_per_figure_with_the_ordinal_it_came_from(con, models):
    body = "Output rose 5 percent to 300 tonnes."
    add_document(con, "a.txt", body, "s1")
    # Two readings of one span (same unit and kind) are one figure: the lower value, then the earlier ordinal, stands.
    con.execute("""insert into raw.metrics values
        ('a.txt', 0, 12, 21, 7, null, null, 'percent', 'exact', null, 'output', null, null, false, 'change', null),
        ('a.txt', 1, 12, 21, 5, null, null, 'percent', 'exact', null, 'output', null, null, false, 'change', null),
        ('a.txt', 2, 12, 21, 5, null, null, 'percent', 'exact', null, 'output', null, null, false, 'change', null),
        ('a.txt', 3, 25, 35, 300, null, null, 'tonne', 'exact', null, 'output', null, null, false, 'level', null)""")
    run_transforms(con, models)
    got = rows(con, "select mention_text, value, ordinal from marts.fct_metric order by char_start")
    assert got == [("5 percent", 5.0, 1), ("300 tonnes", 300.0, 3)]
    lineage = rows(
        con,
        """select count(*) from marts.fct_metric f join marts.dim_document d using (document_id)
           join raw.metrics r on r.source_path = d.source_path and r.ordinal = f.ordinal
           where r.char_start = f.char_start and r.value = f.value""",
    )
    assert lineage == [(2,)]


def test_fct_quote_text_and_speaker(con, models):
    body = '"We grew fast," said Li Ling.'
    add_document(con, "a.txt", body, "s1")
    con.execute("insert into raw.entities values ('a.txt', 'person:li ling', 'person', 'Li Ling', null, null, null)")
    con.execute("insert into raw.quotes values ('a.txt', 0, 1, 14, 'person:li ling'), ('a.txt', 1, 0, 3, null)")
    run_transforms(con, models)
    got = rows(
        con,
        """select q.quote_text, e.canonical_name from marts.fct_quote q
                       left join marts.dim_entity e on e.entity_id = q.speaker_entity_id order by q.char_start""",
    )
    assert got == [('"We', None), ("We grew fast,", "Li Ling")]
