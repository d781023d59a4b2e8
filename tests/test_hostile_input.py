"""Hostile input through the real flow: stored as data byte for byte, or rejected with a reason, never lost."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_flow

pytestmark = pytest.mark.slow

SQL_TITLE = "'; drop table marts.dim_document; --"
SQL_BODY = (
    "He said \"it's fine\" -- O'Brien's C:\\new\\table; drop table raw.documents; -- \\\\ %s $1 ? {x} \\\" ''\n\n"
    "Second paragraph ends with a backslash \\"
)
SQL_NAME = "sql'; drop table x; --\".txt"
JSON_TITLE = "Robert'); DROP TABLE raw.documents;--"
JSON_BODY = 'Body "quoted" \\ back \\n not a newline; select 1; --'
HEADER_BODY = "title: Fake title\npublisher: Fake Press\n\nThe body only looks like a header."
LONG_LINE = "word " * 400_000 + "The farm sold 42 tonnes."
SHALLOW_TEXT = "Deep inside, 7 villages voted."
FIFTY_MB = 50 * 1024 * 1024
EMPTY_RECORD = '{"text": ""}'
NFD_DIR = unicodedata.normalize("NFD", "dir with space/café 农村 news.txt")


def nested_page(depth: int, text: str) -> str:
    return "<html><body>" + "<div>" * depth + f"<p>{text}</p>" + "</div>" * depth + "</body></html>"


@pytest.fixture(scope="module")
def hostile_run(prefect_server, tmp_path_factory):
    """One run of the real flow over a folder of hostile files; returns (summary, marts rows, source)."""

    tmp = tmp_path_factory.mktemp("hostile")
    source = tmp / "source"
    source.mkdir()

    def put(rel_path: str, content: str | bytes) -> Path:
        path = source / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    put(SQL_NAME, f"title: {SQL_TITLE}\n\n{SQL_BODY}\n")
    put("header.txt", f"title: Real title\n\n{HEADER_BODY}\n")
    put("long line.txt", LONG_LINE)
    put("shallow.html", nested_page(200, SHALLOW_TEXT))
    put("deep.html", nested_page(20_000, "Lost in the nest."))
    put(NFD_DIR, "A file whose name has spaces and non-ASCII letters.")
    put("a/same.txt", "The same article, saved twice.")
    put("b/same.txt", "The same article, saved twice.")
    put("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    put("empty.md", b"")
    secret = tmp / "outside-secret.txt"
    secret.write_text("A secret outside the source folder.")
    os.symlink(secret, source / "outside link.txt")
    with open(source / "feed.jsonl", "w", encoding="utf-8") as feed:
        feed.write(json.dumps({"title": JSON_TITLE, "text": JSON_BODY}) + "\n")
        # One real 50 MB line: streamed and counted, never held in memory, and it costs no other line.
        feed.write('{"text": "')
        chunk = "a" * (1024 * 1024)
        for _ in range(50):
            feed.write(chunk)
        feed.write('"}\n')
        feed.write(json.dumps({"title": "Third", "text": "The third line is fine."}) + "\n")
        feed.write('{"text": "unterminated\n')

    warehouse = tmp / "ruralpulse.duckdb"
    state = run_flow(source, warehouse, workers=2, batches=4)
    assert state.is_completed(), state.message
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            t: rows_of(con, f"select * from marts.{t}") for t in ("dim_document", "rejected_documents", "fct_metric")
        }
        tables["schemas"] = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    finally:
        con.close()
    return state.result(), tables, source


def rows_of(con: duckdb.DuckDBPyConnection, query: str) -> list[dict]:
    cursor = con.execute(query)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def documents(hostile_run) -> dict[str, dict]:
    return {row["source_path"]: row for row in hostile_run[1]["dim_document"]}


def rejected(hostile_run) -> dict[tuple[str, int | None], str]:
    return {(row["source_path"], row["line"]): row["reason"] for row in hostile_run[1]["rejected_documents"]}


def test_sql_metacharacters_are_stored_as_data_byte_for_byte(hostile_run):
    docs = documents(hostile_run)
    assert docs[SQL_NAME]["title"] == SQL_TITLE
    assert docs[SQL_NAME]["body"] == SQL_BODY
    assert docs["feed.jsonl#1"]["title"] == JSON_TITLE
    assert docs["feed.jsonl#1"]["body"] == JSON_BODY
    # Nothing was dropped: every mart and state table is still there.
    names = {f"{schema}.{table}" for schema, table in hostile_run[1]["schemas"]}
    assert {"marts.dim_document", "raw.documents", "marts.rejected_documents"} <= names


def test_a_body_that_looks_like_a_header_stays_body(hostile_run):
    doc = documents(hostile_run)["header.txt"]
    assert (doc["title"], doc["publisher"], doc["body"]) == ("Real title", None, HEADER_BODY)


def test_a_two_megabyte_line_is_kept_whole_with_exact_offsets(hostile_run):
    docs = documents(hostile_run)
    doc = docs["long line.txt"]
    assert doc["body"] == LONG_LINE.strip() and doc["char_count"] == len(LONG_LINE.strip())
    [metric] = [m for m in hostile_run[1]["fct_metric"] if m["document_id"] == doc["document_id"]]
    assert doc["body"][metric["char_start"] : metric["char_end"]] == metric["mention_text"] == "42 tonnes"


def test_every_metric_span_points_at_its_text(hostile_run):
    bodies = {d["document_id"]: d["body"] for d in hostile_run[1]["dim_document"]}
    for m in hostile_run[1]["fct_metric"]:
        assert bodies[m["document_id"]][m["char_start"] : m["char_end"]] == m["mention_text"]


def test_nested_html_loads_or_is_rejected_with_a_reason(hostile_run):
    docs, bad = documents(hostile_run), rejected(hostile_run)
    assert SHALLOW_TEXT in docs["shallow.html"]["body"]
    # libxml2 gives up beyond 256 levels: the page is not loaded, but it is accounted for.
    assert "deep.html" not in docs and bad[("deep.html", None)]


def test_names_with_spaces_and_non_ascii_are_kept_in_nfc(hostile_run):
    nfc = unicodedata.normalize("NFC", NFD_DIR)
    assert nfc != NFD_DIR
    assert documents(hostile_run)[nfc]["body"] == "A file whose name has spaces and non-ASCII letters."


def test_jsonl_good_lines_load_and_bad_lines_are_rejected_by_number(hostile_run):
    docs, bad = documents(hostile_run), rejected(hostile_run)
    assert docs["feed.jsonl#3"]["body"] == "The third line is fine."
    assert "feed.jsonl#2" not in docs and "feed.jsonl#4" not in docs
    assert bad[("feed.jsonl", 2)].startswith(f"too_large: line of {FIFTY_MB + len(EMPTY_RECORD)} bytes")
    assert bad[("feed.jsonl", 4)]


def test_rejections_are_complete_and_counted(hostile_run):
    summary, tables, _ = hostile_run
    assert rejected(hostile_run) == {
        ("b/same.txt", None): "duplicate: same body as a/same.txt",
        ("outside link.txt", None): "symlink: points outside the source root; not followed",
        ("image.txt", None): "binary: looks like a PNG image",
        ("empty.md", None): "empty: file is empty",
        ("deep.html", None): rejected(hostile_run)[("deep.html", None)],
        ("feed.jsonl", 2): rejected(hostile_run)[("feed.jsonl", 2)],
        ("feed.jsonl", 4): rejected(hostile_run)[("feed.jsonl", 4)],
    }
    assert all(row["reason"] for row in tables["rejected_documents"])
    assert summary.documents_rejected == len(tables["rejected_documents"]) == 7


def test_no_good_document_is_lost(hostile_run):
    summary, tables, _ = hostile_run
    good = {
        SQL_NAME,
        "header.txt",
        "long line.txt",
        "shallow.html",
        unicodedata.normalize("NFC", NFD_DIR),
        "a/same.txt",
        "feed.jsonl#1",
        "feed.jsonl#3",
    }
    assert set(documents(hostile_run)) == good
    assert summary.documents == len(good) and summary.published
