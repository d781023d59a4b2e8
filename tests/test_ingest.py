"""Reading well-formed sources: listing, each format, header variants, normalization and titles."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from flows.ingest import (
    Rejection,
    SourceDocument,
    SourceNotFound,
    list_source_files,
    parse_file,
    read_source,
)
from flows.ingest.dates import parse_published
from flows.ingest.normalize import normalize_text


def write(root: Path, rel_path: str, content: str | bytes) -> Path:
    """Create a file under root (parents included) from text (UTF-8) or bytes."""
    path = root / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def parse_one(root: Path, rel_path: str, content: str | bytes, **kwargs) -> SourceDocument | Rejection:
    """Write one file and parse it, expecting exactly one result."""
    write(root, rel_path, content)
    [source_file] = [f for f in list_source_files(root) if f.rel_path == rel_path]
    results = parse_file(source_file, root=root, **kwargs)
    assert len(results) == 1, results
    return results[0]


def document(root: Path, rel_path: str, content: str | bytes, **kwargs) -> SourceDocument:
    """Parse one file that must yield a document."""
    result = parse_one(root, rel_path, content, **kwargs)
    assert isinstance(result, SourceDocument), result
    return result


# --- listing ---------------------------------------------------------------------------------------


def test_listing_is_sorted_filtered_and_skips_hidden(tmp_path: Path) -> None:
    for rel_path in ["b.txt", "a/z.md", "a/y.HTML", "c.jsonl", "d.markdown", "e.htm", "notes.pdf", "img.png"]:
        write(tmp_path, rel_path, "text")
    write(tmp_path, ".hidden.txt", "text")
    write(tmp_path, ".git/config.txt", "text")
    write(tmp_path, "x/.cache/inner.txt", "text")

    listed = list_source_files(tmp_path)

    assert [f.rel_path for f in listed] == ["a/y.HTML", "a/z.md", "b.txt", "c.jsonl", "d.markdown", "e.htm"]
    first = listed[2]
    assert first.path == tmp_path / "b.txt"
    assert first.size == 4
    assert first.mtime_ns == os.stat(tmp_path / "b.txt").st_mtime_ns


def test_file_names_with_spaces_and_non_ascii_keep_their_name_in_nfc(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Café report 2024.txt")
    write(tmp_path, f"dir with space/{decomposed}", "Body text.")

    [doc] = list(read_source(tmp_path))

    assert doc.source_path == "dir with space/Café report 2024.txt"
    assert unicodedata.is_normalized("NFC", doc.source_path)


def test_missing_or_non_directory_root_raises_source_not_found(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFound):
        list_source_files(tmp_path / "absent")
    write(tmp_path, "file.txt", "x")
    with pytest.raises(SourceNotFound):
        list(read_source(tmp_path / "file.txt"))
    assert issubclass(SourceNotFound, ValueError)


def test_symlink_outside_root_is_listed_but_rejected_unread(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = write(tmp_path, "secret/outside.txt", "title: Secret\n\nDo not read.")
    write(root, "inside.txt", "Inside body.")
    (root / "link.txt").symlink_to(outside)
    (root / "linked_dir").symlink_to(outside.parent, target_is_directory=True)
    (root / "alias.txt").symlink_to(root / "inside.txt")

    results = {r.source_path: r for r in read_source(root)}

    assert isinstance(results["link.txt"], Rejection)
    assert results["link.txt"].reason.startswith("symlink:")
    assert isinstance(results["linked_dir"], Rejection)
    assert results["linked_dir"].reason.startswith("symlink:")
    assert results["alias.txt"].body == "Inside body."
    assert all("Do not read" not in getattr(r, "body", "") for r in results.values())


def test_broken_symlink_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")

    [result] = list(read_source(tmp_path))

    assert isinstance(result, Rejection)
    assert result.reason.startswith("unreadable:")


# --- .txt ------------------------------------------------------------------------------------------


def test_txt_without_header_takes_first_line_as_title(tmp_path: Path) -> None:
    doc = document(tmp_path, "plain.txt", "Farmers sell tea online.\nSales rose 20 percent in 2023.\n")

    assert doc.title == "Farmers sell tea online."
    assert doc.body == "Farmers sell tea online.\nSales rose 20 percent in 2023."
    assert doc.publisher is None and doc.url is None and doc.published_date is None
    assert doc.content_sha256 == hashlib.sha256(doc.body.encode("utf-8")).hexdigest()


def test_txt_full_header(tmp_path: Path) -> None:
    content = (
        "title: Village tea boom\n"
        "source: Rural Daily\n"
        "url: https://example.org/tea?id=1&x=2\n"
        "published: 2024-03-05\n"
        "\n"
        "The village sold 3 million yuan of tea.\n\nA second paragraph.\n"
    )
    doc = document(tmp_path, "tea.txt", content)

    assert doc.title == "Village tea boom"
    assert doc.publisher == "Rural Daily"
    assert doc.url == "https://example.org/tea?id=1&x=2"
    assert doc.published_date == date(2024, 3, 5)
    assert doc.body == "The village sold 3 million yuan of tea.\n\nA second paragraph."


def test_txt_header_keys_any_case_any_order_any_subset(tmp_path: Path) -> None:
    doc = document(tmp_path, "h.txt", "Published: March 5, 2024\nTITLE: Mixed case\n\nBody here.")

    assert doc.title == "Mixed case"
    assert doc.published_date == date(2024, 3, 5)
    assert doc.publisher is None
    assert doc.body == "Body here."


def test_txt_header_like_line_inside_body_stays_body(tmp_path: Path) -> None:
    content = "Officials reported growth.\nSource: ministry data\nMore text.\n"
    doc = document(tmp_path, "b.txt", content)

    assert doc.publisher is None
    assert doc.body == "Officials reported growth.\nSource: ministry data\nMore text."


def test_txt_header_like_first_line_without_blank_line_stays_body(tmp_path: Path) -> None:
    doc = document(tmp_path, "b.txt", "Source: ministry data shows growth\nof rural incomes in 2023.\n")

    assert doc.publisher is None
    assert doc.title == "Source: ministry data shows growth"
    assert doc.body.startswith("Source: ministry data shows growth\n")


def test_txt_unparseable_date_keeps_document_with_null_date(tmp_path: Path) -> None:
    doc = document(tmp_path, "d.txt", "title: T\npublished: sometime last spring\n\nBody stays.")

    assert doc.published_date is None
    assert doc.title == "T"
    assert doc.body == "Body stays."


def test_txt_header_only_without_body_is_rejected_as_empty(tmp_path: Path) -> None:
    result = parse_one(tmp_path, "h.txt", "title: Only a title\n\n   \n")

    assert isinstance(result, Rejection)
    assert result.reason.startswith("empty")


def test_txt_body_entities_are_decoded(tmp_path: Path) -> None:
    doc = document(tmp_path, "e.txt", "title: B&amp;B boom\n\nThe B&amp;B owners &quot;agreed&quot; at 5&#37;.")

    assert doc.title == "B&B boom"
    assert doc.body == 'The B&B owners "agreed" at 5%.'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T08:00:00Z", date(2024, 3, 5)),
        ("2024-03-05T23:30:00-05:00", date(2024, 3, 5)),
        ("March 5, 2024", date(2024, 3, 5)),
        ("5 Mar 2024", date(2024, 3, 5)),
        ("Tue, 05 Mar 2024 08:00:00 GMT", date(2024, 3, 5)),
        ("25/12/2023", date(2023, 12, 25)),
        ("05/03/2024", None),
        ("March 2024", None),
        ("2024-02-30", None),
        ("not a date", None),
        ("", None),
        (None, None),
        (20240305, None),
    ],
)
def test_published_date_forms(value: object, expected: date | None) -> None:
    assert parse_published(value) == expected


# --- normalization ---------------------------------------------------------------------------------


def test_normalization_gives_exact_body_for_offsets(tmp_path: Path) -> None:
    raw = (
        "\ufeff  First\tline  with   spaces  \r\n"
        "Second\x07 line\u00a0end \r"
        "\r\n\r\n\n\n"
        "Caf\u0065\u0301 “quoted” — dash – en; B&amp;B\x0c"
        "Last\u2028line   \n\n\n"
    )
    doc = document(tmp_path, "n.txt", raw)

    assert doc.body == "First line with spaces\nSecond line end\n\nCafé “quoted” — dash – en; B&B\nLast\nline"
    assert doc.body.index("“quoted”") == 45
    assert "\u0301" not in doc.body


def test_single_newline_paragraphs_are_kept() -> None:
    assert normalize_text("One paragraph.\nAnother paragraph.\n") == "One paragraph.\nAnother paragraph."


def test_entities_need_a_semicolon_in_plain_text() -> None:
    assert normalize_text("AT&T and R&D, see ?a=1&para=2 &amp; &#x4E2D;") == "AT&T and R&D, see ?a=1&para=2 & 中"


def test_quotes_and_sql_metacharacters_are_kept_as_data(tmp_path: Path) -> None:
    text = "title: Robert'); DROP TABLE docs;--\n\nHe said \"50% off\" -- it's 'fine'; \\ back`tick`."
    doc = document(tmp_path, "sql.txt", text)

    assert doc.title == "Robert'); DROP TABLE docs;--"
    assert doc.body == "He said \"50% off\" -- it's 'fine'; \\ back`tick`."


def test_title_fallback_is_cut_near_200_characters(tmp_path: Path) -> None:
    first_line = " ".join(["word"] * 100)
    doc = document(tmp_path, "long.txt", first_line + "\nSecond line.")

    assert 100 <= len(doc.title) <= 201
    assert doc.title.endswith("…")
    assert doc.body.startswith(first_line)


# --- .md -------------------------------------------------------------------------------------------


def test_markdown_front_matter_and_markup_stripped(tmp_path: Path) -> None:
    content = (
        "---\n"
        'title: "Tea cooperative doubles sales"\n'
        "source: Rural Daily\n"
        "published: 2024-03-05\n"
        "url: https://example.org/tea\n"
        "---\n"
        "# Heading in body\n"
        "\n"
        'The **cooperative** sold *more* tea than _ever_ before, see [the report](https://x.org/r "R").\n'
        "![chart](chart.png)\n"
        "> A quoted line with `code`.\n"
        "- a bullet item\n"
        "\n"
        "```\n"
        "code *kept* as text\n"
        "```\n"
        "snake_case_name and 2 * 3 * 4 stay; \\*escaped\\*.\n"
    )
    doc = document(tmp_path, "post.md", content)

    assert doc.title == "Tea cooperative doubles sales"
    assert doc.publisher == "Rural Daily"
    assert doc.url == "https://example.org/tea"
    assert doc.published_date == date(2024, 3, 5)
    assert doc.body == (
        "Heading in body\n\n"
        "The cooperative sold more tea than ever before, see the report.\n"
        "A quoted line with code.\n"
        "a bullet item\n\n"
        "code *kept* as text\n"
        "snake_case_name and 2 * 3 * 4 stay; *escaped*."
    )


def test_markdown_title_from_first_level_one_heading(tmp_path: Path) -> None:
    doc = document(tmp_path, "a.markdown", "Intro line.\n\n## Sub\n\n# The *Real* Title\n\nText.")

    assert doc.title == "The Real Title"
    assert doc.body == "Intro line.\n\nSub\n\nThe Real Title\n\nText."


def test_markdown_without_heading_falls_back_to_first_line(tmp_path: Path) -> None:
    doc = document(tmp_path, "b.md", "Just **text** here.\nMore.")

    assert doc.title == "Just text here."


# --- .html -----------------------------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html><head>
<title>Tea &amp; rice boom | Rural Daily</title>
<meta property="og:title" content="Tea &amp; rice boom">
<meta property="og:site_name" content="Rural Daily">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
<link rel="canonical" href="https://example.org/tea-rice">
<style>body { color: red } .secret-style {}</style>
<script>var secretScript = "SCRIPT-TEXT";</script>
</head><body>
<nav>Home | World | Business</nav>
<article>
<p>The B&amp;B owners in the village said sales rose 20 percent in 2023, reaching 3 million yuan.</p>
<script>document.write("INLINE-SCRIPT");</script>
<p>"We are very happy," said Li Wei, a 45-year-old farmer, adding that the cooperative has 300 members.</p>
<style>.inline-style { display: none }</style>
<p>The county plans to invest another 5 million yuan in roads and cold storage over the next two years.</p>
</article>
<footer>Copyright Rural Daily</footer>
</body></html>"""


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    doc = document(tmp_path, "page.html", ARTICLE_HTML)

    assert doc.title == "Tea & rice boom"
    assert doc.publisher == "Rural Daily"
    assert doc.url == "https://example.org/tea-rice"
    assert doc.published_date == date(2024, 3, 5)
    assert "The B&B owners in the village said sales rose 20 percent in 2023" in doc.body
    assert '"We are very happy," said Li Wei' in doc.body
    for unwanted in ("SCRIPT", "secret", "inline-style", "color: red", "&amp;"):
        assert unwanted not in doc.body


def test_tiny_html_falls_back_to_body_text(tmp_path: Path) -> None:
    doc = document(tmp_path, "tiny.htm", "<html><head><title>Tiny</title></head><body><p>Hi.</p></body></html>")

    assert doc.title == "Tiny"
    assert doc.body == "Hi."


def test_html_made_of_scripts_and_styles_only_is_rejected_as_empty(tmp_path: Path) -> None:
    page = "<html><head><style>p{}</style></head><body>" + "<script>var a = 1;</script>" * 500 + "</body></html>"
    result = parse_one(tmp_path, "scripts.html", page)

    assert isinstance(result, Rejection)
    assert result.reason.startswith("empty")


def test_deeply_nested_html_does_not_crash(tmp_path: Path) -> None:
    page = "<html><body>" + "<div>" * 10_000 + "Deep village text." + "</div>" * 10_000 + "</body></html>"
    result = parse_one(tmp_path, "deep.html", page)

    if isinstance(result, SourceDocument):
        assert "Deep village text." in result.body
    else:
        assert result.reason.startswith(("html:", "empty:"))


def test_html_declared_legacy_charset_is_used(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1252"><title>Café news</title></head>'
        "<body><p>Crème brûlée “sold”.</p></body></html>"
    )
    doc = document(tmp_path, "legacy.html", page.encode("cp1252"))

    assert doc.title == "Café news"
    assert doc.body == "Crème brûlée “sold”."


# --- .jsonl ----------------------------------------------------------------------------------------


def test_jsonl_good_and_broken_lines(tmp_path: Path) -> None:
    lines = [
        '{"title": "First", "text": "Body one.", "url": "https://e.org/1", "published": "2024-03-05", "source": "W"}',
        "",
        '{"title": "Broken", "text": "missing brace"',
        '["not", "an", "object"]',
        '{"title": "No text"}',
        '{"body": "<p>Second &amp; <b>bold</b></p><script>evil()</script><p>Next para.</p>", "publisher": "Pub"}',
        "   ",
        '{"text": "Third body.", "published_date": "March 5, 2024", "date": "ignored"}',
        '{"text": 42}',
    ]
    write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")

    results = list(read_source(tmp_path))
    documents = [r for r in results if isinstance(r, SourceDocument)]
    rejections = [r for r in results if isinstance(r, Rejection)]

    assert [d.source_path for d in documents] == ["feed.jsonl#1", "feed.jsonl#6", "feed.jsonl#8"]
    first, second, third = documents
    assert (first.title, first.body, first.url, first.publisher) == ("First", "Body one.", "https://e.org/1", "W")
    assert first.published_date == date(2024, 3, 5)
    assert second.body == "Second & bold\n\nNext para."
    assert second.title == "Second & bold"
    assert second.publisher == "Pub"
    assert third.published_date == date(2024, 3, 5)
    assert [(r.source_path, r.line) for r in rejections] == [("feed.jsonl", n) for n in (3, 4, 5, 9)]
    assert rejections[0].reason.startswith("json:")
    assert rejections[1].reason.startswith("json:")
    assert rejections[2].reason.startswith("no_text:")
    assert rejections[3].reason.startswith("no_text:")


def test_jsonl_with_bom_and_crlf(tmp_path: Path) -> None:
    write(tmp_path, "w.jsonl", b'\xef\xbb\xbf{"text": "One."}\r\n{"text": "Two."}\r\n')

    results = list(read_source(tmp_path))

    assert [(r.source_path, r.body) for r in results] == [("w.jsonl#1", "One."), ("w.jsonl#2", "Two.")]


def test_read_source_loses_nothing_from_a_mixed_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "Good text.")
    write(tmp_path, "b.txt", b"")
    write(tmp_path, "c.html", b"\x89PNG\r\n\x1a\n" + bytes(100))
    write(tmp_path, "d.md", "# Good markdown")

    results = list(read_source(tmp_path))

    assert [(r.source_path, type(r).__name__) for r in results] == [
        ("a.txt", "SourceDocument"),
        ("b.txt", "Rejection"),
        ("c.html", "Rejection"),
        ("d.md", "SourceDocument"),
    ]
