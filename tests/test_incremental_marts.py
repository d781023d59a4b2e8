"""An incremental build re-derives only the documents that changed, and its marts equal a whole rebuild's."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import flows.warehouse
from flows.sqlmodels import load_models, run_transforms
from tests.conftest import SQL_DIR

pytestmark = pytest.mark.slow

BASE = {
    "a-exports.txt": (
        "title: Tea exports\npublished: 2024-03-01\n\n"
        "Tea exports from Anhua County to the US rose 12 percent to $40 million last year, "
        '"Buyers came back," said Chen Hong, 52, head of the Anhua Tea Cooperative.\n'
    ),
    "b-orchard.txt": (
        "title: Orchards\npublished: 2024-03-02\n\n"
        "Farmers in Luoxi Village planted 3,400 pear trees, up 20 percent from a year earlier. "
        '"We expect about 80 tonnes," said Zhao Minghui, a village official.\n'
    ),
    "c-pumps.txt": "title: Pumps\n\nThe township installed 45 solar water pumps for 600 households in Yunnan.\n",
    "d-clinics.txt": "title: Clinics\n\nZhou Lan, a doctor, said 7 clinics opened in Hunan Province this year.\n",
    "e-mushrooms.txt": "title: Mushrooms\n\nOnline sales of mushrooms from Qingyuan rose to 2.5 million yuan.\n",
}
# Run two: a new article names the US as "U.S.", a longer name that becomes its canonical name everywhere,
# so a.txt must be re-derived although it did not change; b changes, c goes, and a copy of d sorts before d.
ADDED = {
    "f-soy.txt": "title: Soybeans\npublished: 2024-03-05\n\nThe U.S. shipped 300 tonnes of soybeans to Dalian.\n",
    "b-orchard.txt": (
        "title: Orchards\npublished: 2024-03-02\n\n"
        "Farmers in Luoxi Village planted 5,100 pear trees, up 50 percent from a year earlier.\n"
    ),
    "0-clinics-copy.txt": BASE["d-clinics.txt"],
}


def marts_of(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [n for (n,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()]


def differences(con: duckdb.DuckDBPyConnection, left: str, right: str) -> int:
    """Rows in one relation and not the other, both ways, as multisets."""
    return con.execute(
        f"select (select count(*) from (from {left} except all from {right}))"
        f" + (select count(*) from (from {right} except all from {left}))"
    ).fetchone()[0]


def publish_base(run_pipeline, tmp_path: Path) -> tuple[Path, Path]:
    """A source of the BASE articles and a warehouse published from it."""
    source, warehouse = tmp_path / "source", tmp_path / "wh" / "ruralpulse.duckdb"
    source.mkdir()
    for name, text in BASE.items():
        (source / name).write_text(text, encoding="utf-8")
    assert run_pipeline(source, warehouse).is_completed()
    return source, warehouse


def test_incremental_marts_equal_a_whole_rebuild(run_pipeline, tmp_path, monkeypatch):
    # Five documents are too few for the cost rule to choose an incremental build; this test is about its result.
    monkeypatch.setattr(flows.warehouse, "INCREMENTAL_MAX_SHARE", 1.0)
    source, warehouse = publish_base(run_pipeline, tmp_path)

    (source / "c-pumps.txt").unlink()
    for name, text in ADDED.items():
        (source / name).write_text(text, encoding="utf-8")
    assert run_pipeline(source, warehouse).is_completed()

    copy = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        assert con.execute("select value from ops.meta where key = 'validation_scope'").fetchone() == (
            "changed_documents",
        )
        changed = {
            p
            for (p,) in con.execute(
                "select source_path from marts.dim_document where document_id in "
                "(select document_id from ops.changed_documents)"
            ).fetchall()
        }
        # Loaded, changed, the copy that now sorts first (d becomes its duplicate), and the unchanged article
        # whose place got a new canonical name.
        assert changed == {"a-exports.txt", "b-orchard.txt", "0-clinics-copy.txt", "f-soy.txt"}
        assert con.execute(
            "select document_places from marts.metrics_enriched where source_path = 'a-exports.txt' limit 1"
        ).fetchone()[0] == ["Anhua County", "U.S."]
        incremental = marts_of(con)
        for name in incremental:
            con.execute(f"create temp table inc_{name} as from marts.{name}")
        run_transforms(con, load_models(SQL_DIR))
        assert sorted(marts_of(con)) == sorted(incremental)
        for name in incremental:
            assert differences(con, f"marts.{name}", f"inc_{name}") == 0, name
        assert not con.execute("select schema_name from duckdb_schemas() where schema_name like 'delta%'").fetchall(), (
            "delta schemas must not outlive the transform"
        )
    finally:
        con.close()


def test_a_large_change_rebuilds_everything(run_pipeline, tmp_path):
    source, warehouse = publish_base(run_pipeline, tmp_path)
    for name, text in ADDED.items():
        (source / name).write_text(text, encoding="utf-8")
    assert run_pipeline(source, warehouse).is_completed()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select value from ops.meta where key = 'validation_scope'").fetchone() == ("all_rows",)
        assert con.execute("select count(*) from ops.changed_documents").fetchone() == (0,)


def test_validation_of_an_incremental_run_still_sees_bad_rows(run_pipeline, tmp_path, monkeypatch):
    """A per-row check scoped to changed documents fails when a changed document's row breaks it."""
    monkeypatch.setattr(flows.warehouse, "INCREMENTAL_MAX_SHARE", 1.0)
    source, warehouse = publish_base(run_pipeline, tmp_path)
    published = warehouse.read_bytes()
    suites = tmp_path / "expectations"
    shutil.copytree(Path(SQL_DIR).parent / "expectations", suites)
    strict = suites / "fct_metric.json"
    # No figure may exceed 1,000: the new article's 5,100 trees break it, the old rows are not looked at.
    text = strict.read_text(encoding="utf-8").replace(
        '"expectations": [',
        '"expectations": [{"type": "expect_column_values_to_be_between", '
        '"kwargs": {"column": "value", "max_value": 1000}, "meta": {}, "severity": "critical"},',
        1,
    )
    strict.write_text(text, encoding="utf-8")
    (source / "b-orchard.txt").write_text(ADDED["b-orchard.txt"], encoding="utf-8")
    state = run_pipeline(source, warehouse, expectations=suites)
    assert state.is_failed()
    assert warehouse.read_bytes() == published
