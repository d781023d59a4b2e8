"""Bad input: every problem becomes a Rejection with a reason, and nothing else in the folder is lost."""

from __future__ import annotations

import codecs
import os
import random
import tracemalloc
from pathlib import Path

import pytest

import flows.ingest as ingest
from flows.ingest import Rejection, SourceDocument, list_source_files, parse_file, read_source


def write(root: Path, rel_path: str, content: bytes) -> Path:
    """Create a file under root from bytes."""
    path = root / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def parse_bytes(root: Path, rel_path: str, content: bytes, **kwargs) -> SourceDocument | Rejection:
    """Write one file and parse it, expecting exactly one result."""
    write(root, rel_path, content)
    [source_file] = [f for f in list_source_files(root) if f.rel_path == rel_path]
    [result] = parse_file(source_file, root=root, **kwargs)
    return result


def rejection_reason(root: Path, rel_path: str, content: bytes, **kwargs) -> str:
    """The reason of the rejection one file must produce."""
    result = parse_bytes(root, rel_path, content, **kwargs)
    assert isinstance(result, Rejection), result
    assert result.source_path == rel_path
    assert result.line is None
    return result.reason


def body_of(root: Path, rel_path: str, content: bytes) -> str:
    """The body of the document one file must produce."""
    result = parse_bytes(root, rel_path, content)
    assert isinstance(result, SourceDocument), result
    return result.body


# --- empty and binary ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf  \n"])
def test_empty_or_whitespace_only_is_rejected(tmp_path: Path, content: bytes) -> None:
    assert rejection_reason(tmp_path, "empty.txt", content).startswith("empty")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), "ZIP"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    ],
)
def test_binary_magic_bytes_are_rejected(tmp_path: Path, content: bytes, kind: str) -> None:
    reason = rejection_reason(tmp_path, "article.html", content)

    assert reason.startswith("binary:")
    assert kind in reason


def test_nul_bytes_are_binary(tmp_path: Path) -> None:
    reason = rejection_reason(tmp_path, "nul.txt", b"Some text\x00with a NUL and more text after it")

    assert reason == "binary: contains NUL bytes (first at byte 9)"


def test_random_bytes_are_binary(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(4096)

    assert rejection_reason(tmp_path, "noise.md", noise).startswith("binary:")


def test_random_high_bytes_without_controls_cannot_be_decoded(tmp_path: Path) -> None:
    rng = random.Random(11)
    noise = bytes(
        rng.choice(range(0x20, 0x7F)) if rng.random() < 0.3 else rng.randrange(0x80, 0x100) for _ in range(3000)
    )

    reason = rejection_reason(tmp_path, "noise.txt", noise)

    assert reason.startswith("encoding: could not decode reliably (best guess ")


def test_a_stray_control_character_is_not_binary_and_is_removed(tmp_path: Path) -> None:
    assert body_of(tmp_path, "dos.txt", b"Old DOS text with an end marker.\x1a") == "Old DOS text with an end marker."


# --- encodings -------------------------------------------------------------------------------------


def test_utf8_with_bom(tmp_path: Path) -> None:
    assert body_of(tmp_path, "bom.txt", codecs.BOM_UTF8 + "Café “ok”.".encode()) == "Café “ok”."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    text = "title: Wide\n\nCafé 农村 “quoted” text."
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    result = parse_bytes(tmp_path, "wide.txt", bom + text.encode(encoding))

    assert isinstance(result, SourceDocument), result
    assert result.title == "Wide"
    assert result.body == "Café 农村 “quoted” text."


def test_utf16_without_bom(tmp_path: Path) -> None:
    assert body_of(tmp_path, "nobom.txt", "Plain English text in UTF-16.".encode("utf-16-le")) == (
        "Plain English text in UTF-16."
    )


def test_latin1_text_decodes_correctly(tmp_path: Path) -> None:
    assert body_of(tmp_path, "latin1.txt", "Le café est très bon, où?".encode("latin-1")) == "Le café est très bon, où?"


def test_cp1252_smart_quotes_decode_correctly(tmp_path: Path) -> None:
    text = "He said “it’s fine” – naïve."
    assert body_of(tmp_path, "cp1252.txt", text.encode("cp1252")) == text


@pytest.mark.parametrize("text", ["中文测试", "你好，世界", "今天天气很好。", "Rural news: 乡村振兴 report", "中国"])
def test_short_gbk_text_is_not_published_as_korean_mojibake(tmp_path: Path, text: str) -> None:
    assert body_of(tmp_path, "gbk.txt", text.encode("gbk")) == text


def test_big5_text_decodes_correctly(tmp_path: Path) -> None:
    text = "中國農村電商發展迅速，今年銷售額增長了百分之二十。"
    assert body_of(tmp_path, "big5.txt", text.encode("big5")) == text


def test_invalid_byte_inside_utf8_text_is_rejected_with_its_offset(tmp_path: Path) -> None:
    content = "Café “quoted” text ".encode() + b"\xff" + b" and more."

    reason = rejection_reason(tmp_path, "broken.txt", content)

    assert reason == f"encoding: invalid UTF-8 at byte {len('Café “quoted” text '.encode())}"


def test_ascii_with_one_cp1252_byte_is_decoded_as_cp1252(tmp_path: Path) -> None:
    assert body_of(tmp_path, "stray.txt", b"The farmer\x92s cooperative.") == "The farmer’s cooperative."


# --- size limits -----------------------------------------------------------------------------------


def test_oversized_file_is_rejected_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk, and reading it would be slow
    opened: list[str] = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(str(a[0])) or real_open(*a, **k))

    [result] = parse_file(list_source_files(tmp_path)[0], root=tmp_path)

    assert result.reason == f"too_large: {50 * 1024 * 1024} bytes > cap {5 * 1024 * 1024}"
    assert opened == []


def test_max_bytes_cap_is_configurable(tmp_path: Path) -> None:
    reason = rejection_reason(tmp_path, "a.txt", b"x" * 101, max_bytes=100)

    assert reason == "too_large: 101 bytes > cap 100"


def test_jsonl_cap_applies_per_line_and_huge_line_is_streamed(tmp_path: Path) -> None:
    huge_text = "a" * (50 * 1024 * 1024)
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"text": "First line."}\n')
        handle.write('{"text": "' + huge_text + '"}\n')
        handle.write('{"text": "Third line."}\n')
    del huge_text
    [source_file] = list_source_files(tmp_path)

    tracemalloc.start()
    results = parse_file(source_file, root=tmp_path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert [(r.source_path, type(r).__name__) for r in results] == [
        ("big.jsonl#1", "SourceDocument"),
        ("big.jsonl", "Rejection"),
        ("big.jsonl#3", "SourceDocument"),
    ]
    assert results[1].line == 2
    assert results[1].reason.startswith("too_large: line of 52428")
    assert peak < 16 * 1024 * 1024


def test_jsonl_file_larger_than_cap_still_loads(tmp_path: Path) -> None:
    lines = [f'{{"text": "Document number {n} with some words."}}' for n in range(100)]
    write(tmp_path, "many.jsonl", "\n".join(lines).encode())

    results = parse_file(list_source_files(tmp_path)[0], root=tmp_path, max_bytes=200)

    assert len(results) == 100
    assert all(isinstance(r, SourceDocument) for r in results)
    assert results[-1].source_path == "many.jsonl#100"


def test_jsonl_binary_file_is_one_rejection(tmp_path: Path) -> None:
    [result] = list(read_source(write(tmp_path, "img.jsonl", b"\x89PNG\r\n\x1a\n" + bytes(500)).parent))

    assert result.reason == "binary: looks like a PNG image"
    assert result.line is None


def test_jsonl_deeply_nested_json_line_is_rejected(tmp_path: Path) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    write(tmp_path, "nest.jsonl", (nested + '\n{"text": "Fine."}\n').encode())

    results = list(read_source(tmp_path))

    assert isinstance(results[0], Rejection) and results[0].line == 1
    assert results[1].source_path == "nest.jsonl#2"


def test_extremely_long_line_is_kept_whole(tmp_path: Path) -> None:
    line = "word " * 400_000
    body = body_of(tmp_path, "long.txt", line.encode())

    assert len(body) == len(line.strip())


# --- never raises ----------------------------------------------------------------------------------


def test_fifo_is_rejected_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")

    [result] = list(read_source(tmp_path))

    assert result.reason == "unreadable: not a regular file"


def test_unexpected_parser_error_becomes_a_rejection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(text: str) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(ingest, "parse_html", explode)
    write(tmp_path, "a.html", b"<p>x</p>")
    write(tmp_path, "b.txt", b"Still loaded.")

    results = list(read_source(tmp_path))

    assert results[0].reason == "internal: RuntimeError: parser bug"
    assert results[1].body == "Still loaded."


def test_file_vanishing_between_listing_and_parsing_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "gone.txt", b"text")
    [source_file] = list_source_files(tmp_path)
    (tmp_path / "gone.txt").unlink()

    [result] = parse_file(source_file, root=tmp_path)

    assert result.reason.startswith("unreadable:")


def test_trafilatura_failure_falls_back_to_plain_body_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def overflow(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(trafilatura, "bare_extraction", overflow)
    page = b"<html><head><title>T</title><script>bad()</script></head><body><p>One.</p><p>Two &amp; three.</p></body>"

    result = parse_bytes(tmp_path, "p.html", page)

    assert isinstance(result, SourceDocument), result
    assert (result.title, result.body) == ("T", "One.\n\nTwo & three.")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, как дела? Это тест новостей.", "cp1251"),
        ("한국 농촌 지역의 관광 산업이 빠르게 성장하고 있습니다.", "euc-kr"),
    ],
)
def test_other_legacy_encodings_are_verified_not_guessed(tmp_path: Path, text: str, encoding: str) -> None:
    assert body_of(tmp_path, "legacy.txt", text.encode(encoding)) == text


def test_jsonl_line_in_cp1252_is_decoded(tmp_path: Path) -> None:
    write(tmp_path, "l.jsonl", '{"text": "Café owners’ sales."}\n{"text": "Plain."}\n'.encode("cp1252"))

    results = list(read_source(tmp_path))

    assert [r.body for r in results] == ["Café owners’ sales.", "Plain."]
