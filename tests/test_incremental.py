"""Incremental runs through the real flow: only what changed in the source changes in the warehouse."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import EXPECTATIONS, SEEDS, SQL_DIR

pytestmark = pytest.mark.slow

ARTICLES = {
    "county.txt": (
        "title: County roads\n\n"
        "Officials in Anhua County said 12 new bridges were finished in 2023. "
        '"The roads bring buyers to our tea farms," said Chen Hong, 52, head of the county cooperative.\n'
    ),
    "valley.txt": (
        "title: Valley orchards\n\n"
        "Farmers in Luoxi Village planted 3,400 pear trees last spring, up 20 percent from a year earlier. "
        '"We expect a harvest of about 80 tonnes," said Zhao Minghui, a village official.\n'
    ),
}
FEED = [
    {"title": "Solar pumps", "text": "The township installed 45 solar water pumps for 600 households in Yunnan."},
    {"title": "Rural clinics", "text": "Zhou Lan, a doctor, said 7 clinics opened in Hunan Province this year."},
    {"title": "E-commerce", "text": "Online sales of mushrooms from Qingyuan rose to 2.5 million yuan in 2024."},
]
MARTS = ("dim_document", "dim_entity", "fct_entity_mention", "fct_metric", "fct_quote", "rejected_documents")
FACTS = ("fct_entity_mention", "fct_metric", "fct_quote")
# Every document of the base source: the seed article, two articles and the three lines of the feed.
BASE_DOCUMENTS = 6


def write_feed(folder: Path, records: list[dict]) -> None:
    (folder / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def flow_state(source: Path, warehouse: Path, **options):
    """The flow's final state, called with the same options as the run_pipeline fixture."""
    from flows.pipeline import ruralpulse_run

    params = {"workers": 2, "batches": 4, "max_bytes": 5 * 1024 * 1024, **options}
    return ruralpulse_run(
        source=str(source),
        warehouse=str(warehouse),
        sql_dir=str(SQL_DIR),
        expectations_dir=str(EXPECTATIONS),
        return_state=True,
        **params,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every mart's rows, sorted, for comparing runs."""
    return {t: sorted(query(warehouse, f"select * from marts.{t}"), key=repr) for t in MARTS}


def rows_of(warehouse: Path, source_path: str) -> dict[str, list[tuple]]:
    """One document's row and its facts in every fact mart, sorted."""
    docs = f"select document_id from marts.dim_document where source_path = '{source_path}'"
    out = {"dim_document": query(warehouse, f"select * from marts.dim_document where document_id in ({docs})")}
    for table in FACTS:
        out[table] = sorted(query(warehouse, f"select * from marts.{table} where document_id in ({docs})"), key=repr)
    return out


def documents(warehouse: Path) -> dict[str, tuple]:
    """source_path -> (document_id, content_sha256, ingested_at)."""
    rows = query(warehouse, "select source_path, document_id, content_sha256, ingested_at from marts.dim_document")
    return {path: rest for path, *rest in rows}


def counts(summary) -> tuple[int, int, int, int, int]:
    """new, changed, unchanged, re-extracted, removed."""
    return (
        summary.documents_new,
        summary.documents_changed,
        summary.documents_unchanged,
        summary.documents_reprocessed,
        summary.documents_removed,
    )


def published(state, validation: str = "passed"):
    """The run's summary, after checking that it ended published with the given validation outcome."""
    assert state.is_completed(), state.message
    summary = state.result()
    assert summary.published and summary.validation == validation, summary.message
    return summary


def figures(warehouse: Path, document_id: str) -> set[str]:
    rows = query(warehouse, "select mention_text from marts.fct_metric where document_id = ?", [document_id])
    return {text for (text,) in rows}


def stale_spans(warehouse: Path, document_id: str) -> list[tuple]:
    """Fact rows of a document whose text is not what its body now holds at their span."""
    stale = []
    for table, text in (
        ("fct_metric", "mention_text"),
        ("fct_entity_mention", "mention_text"),
        ("fct_quote", "quote_text"),
    ):
        stale += query(
            warehouse,
            f"""select '{table}', f.{text} from marts.{table} f join marts.dim_document d using (document_id)
                where f.document_id = ? and substr(d.body, f.char_start + 1, f.char_end - f.char_start) <> f.{text}""",
            [document_id],
        )
    return stale


@pytest.fixture(scope="module")
def base(prefect_server, tmp_path_factory) -> tuple[Path, Path]:
    """A source of six documents (.txt and .jsonl) and the warehouse published from it, built once per module."""
    root = tmp_path_factory.mktemp("incremental-base")
    source = root / "source"
    shutil.copytree(SEEDS, source)
    for name, text in ARTICLES.items():
        (source / name).write_text(text, encoding="utf-8")
    write_feed(source, FEED)
    warehouse = root / "ruralpulse.duckdb"
    summary = published(flow_state(source, warehouse))
    assert counts(summary) == (BASE_DOCUMENTS, 0, 0, 0, 0)
    return source, warehouse


@pytest.fixture()
def copy(base, tmp_path) -> tuple[Path, Path]:
    """A private copy of the base source (mtimes kept) and its published warehouse, for one case to change."""
    source, warehouse = tmp_path / "source", tmp_path / "ruralpulse.duckdb"
    shutil.copytree(base[0], source)
    shutil.copyfile(base[1], warehouse)
    return source, warehouse


def test_unchanged_source_publishes_nothing_new(copy):
    source, warehouse = copy
    before, digest = snapshot(warehouse), sha256(warehouse)
    summary = published(flow_state(source, warehouse), validation="unchanged")
    assert counts(summary) == (0, 0, BASE_DOCUMENTS, 0, 0)
    assert summary.documents == BASE_DOCUMENTS
    assert snapshot(warehouse) == before and sha256(warehouse) == digest


def test_added_changed_removed_files_and_a_changed_jsonl_line(copy):
    """One run over four kinds of change; every other document must come through it untouched."""
    source, warehouse = copy
    before_docs = documents(warehouse)
    before = {path: rows_of(warehouse, path) for path in before_docs}
    county_id = before_docs["county.txt"][0]
    valley_id = before_docs["valley.txt"][0]
    assert figures(warehouse, county_id) and before["county.txt"]["fct_quote"], "county.txt needs figures and a quote"
    valley_only = [
        e
        for (e,) in query(
            warehouse,
            """select distinct entity_id from marts.fct_entity_mention where document_id = ?
               except select entity_id from marts.fct_entity_mention where document_id <> ?""",
            [valley_id, valley_id],
        )
    ]
    assert valley_only, "valley.txt should name an entity no other document names"

    (source / "harbour.txt").write_text(
        "title: Harbour\n\nThe fishing cooperative in Xiapu landed 900 tonnes of kelp in 2024.\n", encoding="utf-8"
    )
    (source / "county.txt").write_text(
        "title: County roads\n\nOfficials in Anhua County said 5,600 households now have piped water.\n",
        encoding="utf-8",
    )
    (source / "valley.txt").unlink()
    records = [dict(r) for r in FEED]
    records[1]["text"] = "Zhou Lan, a doctor, said 9 clinics opened in Hunan Province this year."
    write_feed(source, records)

    summary = published(flow_state(source, warehouse))
    assert counts(summary) == (1, 2, BASE_DOCUMENTS - 3, 0, 1)
    (runs_row,) = query(
        warehouse,
        "select documents_new, documents_changed, documents_removed from ops.runs order by started_at desc limit 1",
    )
    assert runs_row == (1, 2, 1)
    after_docs = documents(warehouse)
    assert set(after_docs) == set(before_docs) - {"valley.txt"} | {"harbour.txt"}

    # Untouched documents, the two other feed lines included: same id, content, load time and facts.
    for path in set(before_docs) - {"county.txt", "valley.txt", "feed.jsonl#2"}:
        assert after_docs[path] == before_docs[path], path
        assert rows_of(warehouse, path) == before[path], path

    # Added: loaded with its facts.
    assert figures(warehouse, after_docs["harbour.txt"][0]), "the new article's figures were not loaded"

    # Changed file and changed line: same id, new text, a later load time, only the new text's facts.
    for path, old_figure, new_figure in (
        ("county.txt", "12", "5,600"),
        ("feed.jsonl#2", "7 clinics", "9 clinics"),
    ):
        old_id, old_sha, old_ingested = before_docs[path]
        new_id, new_sha, new_ingested = after_docs[path]
        assert new_id == old_id and new_sha != old_sha and new_ingested > old_ingested, path
        now = figures(warehouse, new_id)
        assert any(new_figure in t for t in now) and not any(old_figure in t for t in now), (path, now)
        assert stale_spans(warehouse, new_id) == [], path
    assert rows_of(warehouse, "county.txt")["fct_quote"] == [], "the old quotation outlived its text"

    # Removed: no row left in any mart, not even its entities that no other document names.
    for table in ("dim_document", *FACTS):
        assert query(warehouse, f"select count(*) from marts.{table} where document_id = ?", [valley_id]) == [(0,)]
    assert query(warehouse, "select count(*) from marts.dim_entity where entity_id in ?", [valley_only]) == [(0,)]
    assert query(warehouse, "select count(*) from marts.rejected_documents where source_path like 'valley%'") == [(0,)]


def test_new_extractor_version_reextracts_every_document(copy, monkeypatch):
    source, warehouse = copy
    before, before_docs = snapshot(warehouse), documents(warehouse)
    import flows.pipeline

    # The flow compares, records and fingerprints the version it reads from its own module; extraction never reads it.
    monkeypatch.setattr(flows.pipeline, "EXTRACTOR_VERSION", "test-next")
    summary = published(flow_state(source, warehouse))
    assert counts(summary) == (0, 0, 0, BASE_DOCUMENTS, 0)
    assert query(warehouse, "select distinct extractor_version from raw.documents") == [("test-next",)]
    assert query(warehouse, "select value from ops.meta where key = 'extractor_version'") == [("test-next",)]
    # Same text and extractor code: identical rows, and each document keeps the time its text was first loaded.
    assert documents(warehouse) == before_docs
    assert snapshot(warehouse) == before
    again = published(flow_state(source, warehouse), validation="unchanged")
    assert counts(again) == (0, 0, BASE_DOCUMENTS, 0, 0)


def test_full_refresh_reextracts_every_document(copy):
    source, warehouse = copy
    before, before_docs = snapshot(warehouse), documents(warehouse)
    summary = published(flow_state(source, warehouse, full_refresh=True))
    assert counts(summary) == (0, 0, 0, BASE_DOCUMENTS, 0)
    assert documents(warehouse) == before_docs
    assert snapshot(warehouse) == before
