"""Reading a source folder into normalized documents. Pure Python: imports neither Prefect nor DuckDB.

Choices callers can rely on:
- Every problem with a file or a JSON Lines line becomes a `Rejection`; `parse_file` never raises.
- Text is UTF-8 (BOM optional), else UTF-16/32 with a BOM (or NUL-interleaved UTF-16), else a legacy
  encoding (cp1252, GB18030, Big5, Shift-JIS, EUC-KR, then charset-normalizer's candidates) accepted
  only when the strictly decoded text passes plausibility checks; otherwise "encoding: could not decode
  reliably (best guess X)". A file that is mostly valid UTF-8 with a few broken bytes is rejected as
  "encoding: invalid UTF-8 at byte N" rather than published with replacement characters, because no
  8-bit reading of it can be right.
- Malformed header values never reject a document: an unparseable, partial or ambiguous date gives
  `published_date=None`, an empty value gives None.
- `Rejection.source_path` is the file's rel_path; for a JSON Lines line, `line` holds its 1-based number.
- Symlinks resolving outside the root are listed and then rejected ("symlink: ..."), never read;
  symlinked directories are never descended (those pointing outside the root are listed to be rejected).
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flows.ingest.dates import parse_published
from flows.ingest.decode import decode_bytes, is_wide_unicode, sniff_binary
from flows.ingest.formats import (
    FormatError,
    RawDocument,
    parse_html,
    parse_json_record,
    parse_markdown,
    parse_plain_text,
)
from flows.ingest.normalize import normalize_inline, normalize_text, title_from_body

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
SUPPORTED_EXTENSIONS = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".jsonl"})
_HTML_EXTENSIONS = frozenset({".html", ".htm"})
_SNIFF_BYTES = 65536
_READ_CHUNK = 1 << 20


class SourceNotFound(ValueError):
    """The source root does not exist or is not a directory."""


@dataclass(frozen=True)
class SourceFile:
    """A candidate document file found under the source root."""

    rel_path: str  # relative to the source root, "/" separators, NFC
    path: Path
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class SourceDocument:
    """One normalized document; all character offsets downstream point into `body`."""

    source_path: str  # rel_path; for JSON Lines "FILE#N" with N the 1-based line number
    title: str
    publisher: str | None
    url: str | None
    published_date: date | None
    body: str
    content_sha256: str


@dataclass(frozen=True)
class Rejection:
    """A file or JSON Lines line that yields no document, and why ("code: detail")."""

    source_path: str
    line: int | None
    reason: str


ParseResult = SourceDocument | Rejection


def list_source_files(root: Path) -> list[SourceFile]:
    """Supported files under `root` sorted by rel_path; hidden entries skipped, symlinked dirs not descended."""
    root = _checked_root(root)
    root_real = _real_root(str(root))
    found: list[SourceFile] = []
    pending: list[tuple[Path, str]] = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            # Listed so that parse_file records why its contents are missing instead of losing them silently.
            if prefix:
                found.append(SourceFile(_nfc(prefix.rstrip("/")), directory, 0, 0))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel_path = prefix + entry.name
            is_link = False
            try:
                is_link = entry.is_symlink()
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), rel_path + "/"))
                    continue
                if is_link and entry.is_dir():
                    if not _inside(entry.path, root_real):
                        found.append(_source_file(entry, rel_path, follow=False))
                    continue
            except OSError:
                pass
            if os.path.splitext(entry.name)[1].lower() in SUPPORTED_EXTENSIONS:
                follow = not is_link or _inside(entry.path, root_real)
                found.append(_source_file(entry, rel_path, follow=follow))
    found.sort(key=lambda source: source.rel_path)
    return found


def parse_file(file: SourceFile, *, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[ParseResult]:
    """Documents and rejections from one file; never raises for a bad file."""
    try:
        return _parse_file(file, root, max_bytes)
    except Exception as error:  # noqa: BLE001 - the contract is "every problem becomes a Rejection"
        return [Rejection(file.rel_path, None, f"internal: {type(error).__name__}: {error}"[:500])]


def read_source(root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ParseResult]:
    """Documents and rejections of every supported file under `root`, in rel_path order."""
    root = _checked_root(root)
    for source_file in list_source_files(root):
        yield from parse_file(source_file, root=root, max_bytes=max_bytes)


def _parse_file(file: SourceFile, root: Path | str, max_bytes: int) -> list[ParseResult]:
    """parse_file without the safety net."""

    def reject(reason: str) -> list[ParseResult]:
        return [Rejection(file.rel_path, None, reason)]

    path = file.path
    # list_source_files never descends symlinked directories, so only the file itself can be a link.
    if os.path.islink(path) and not _inside(os.fspath(path), _real_root(os.fspath(root))):
        return reject("symlink: points outside the source root; not followed")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return reject("unreadable: broken symlink" if os.path.islink(path) else "unreadable: file no longer exists")
    except OSError as error:
        return reject(f"unreadable: {error.strerror or error}")
    if stat.S_ISDIR(info.st_mode):
        return reject("unreadable: a directory that could not be listed or followed")
    if not stat.S_ISREG(info.st_mode):
        return reject("unreadable: not a regular file")
    extension = os.path.splitext(path.name)[1].lower()
    if extension not in SUPPORTED_EXTENSIONS:
        return reject(f"unsupported: extension {extension or '(none)'}")
    if extension == ".jsonl":
        return _parse_jsonl(file, info.st_size, max_bytes)
    if info.st_size > max_bytes:
        return reject(f"too_large: {info.st_size} bytes > cap {max_bytes}")
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        return reject(f"too_large: more than {max_bytes} bytes > cap {max_bytes}")
    if not data.strip():
        return reject("empty: file is empty" if not data else "empty: whitespace only")
    binary = sniff_binary(data[:_SNIFF_BYTES])
    if binary:
        return reject(binary)
    decoded = decode_bytes(data, html=extension in _HTML_EXTENSIONS)
    if decoded.text is None:
        return reject(decoded.reason or "encoding: could not decode")
    try:
        if extension in _HTML_EXTENSIONS:
            raw = parse_html(decoded.text)
        else:
            text = normalize_text(decoded.text)
            raw = parse_plain_text(text) if extension == ".txt" else parse_markdown(text)
    except FormatError as error:
        return reject(str(error))
    return [_document(raw, file.rel_path)]


def _parse_jsonl(file: SourceFile, size: int, max_bytes: int) -> list[ParseResult]:
    """Each line of a JSON Lines file, streamed so that the size cap applies per line, not per file."""
    with open(file.path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
        if not head.strip():
            return [Rejection(file.rel_path, None, "empty: file is empty" if not head else "empty: whitespace only")]
        binary = sniff_binary(head)
        if binary:
            return [Rejection(file.rel_path, None, binary)]
        if is_wide_unicode(head):
            # UTF-16/32 JSON Lines cannot be split on newline bytes; decode whole when it is small enough.
            if size > max_bytes:
                return [Rejection(file.rel_path, None, f"too_large: {size} bytes > cap {max_bytes} (UTF-16/32)")]
            decoded = decode_bytes(head + handle.read(max_bytes))
            if decoded.text is None:
                return [Rejection(file.rel_path, None, decoded.reason or "encoding: could not decode")]
            lines = ((number, text.encode("utf-8"), 0) for number, text in enumerate(decoded.text.split("\n"), 1))
            return _jsonl_results(file.rel_path, lines)
        handle.seek(0)
        return _jsonl_results(file.rel_path, _capped_lines(handle, max_bytes))


def _jsonl_results(rel_path: str, lines: Iterator[tuple[int, bytes | None, int]]) -> list[ParseResult]:
    """Documents and per-line rejections of JSON Lines content."""
    results: list[ParseResult] = []
    for number, line, oversize in lines:
        if line is None:
            results.append(Rejection(rel_path, number, f"too_large: line of {oversize} bytes > cap"))
            continue
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            decoded = decode_bytes(line.rstrip(b"\r"))
            if decoded.text is None:
                raise FormatError(decoded.reason or "encoding: could not decode")
            raw = parse_json_record(decoded.text)
            results.append(_document(raw, rel_path, number))
        except FormatError as error:
            results.append(Rejection(rel_path, number, str(error)))
        except Exception as error:  # noqa: BLE001 - one bad line must not cost the others
            results.append(Rejection(rel_path, number, f"internal: {type(error).__name__}: {error}"[:500]))
    if not results:
        results.append(Rejection(rel_path, None, "empty: no non-blank lines"))
    return results


def _capped_lines(handle, cap: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes, 0) per line, or (line number, None, size) for a line over `cap` bytes."""
    number = 0
    buffer = bytearray()
    oversize = 0
    while chunk := handle.read(_READ_CHUNK):
        start = 0
        while True:
            newline = chunk.find(b"\n", start)
            piece = chunk[start:] if newline < 0 else chunk[start:newline]
            if oversize:
                oversize += len(piece)
            elif len(buffer) + len(piece) > cap:
                # Past the cap the line is only counted, never held: a 50 MB line costs one chunk of memory.
                oversize = len(buffer) + len(piece)
                buffer.clear()
            else:
                buffer += piece
            if newline < 0:
                break
            number += 1
            yield number, (None if oversize else bytes(buffer)), oversize
            buffer.clear()
            oversize = 0
            start = newline + 1
    if buffer or oversize:
        yield number + 1, (None if oversize else bytes(buffer)), oversize


def _document(raw: RawDocument, rel_path: str, line: int | None = None) -> ParseResult:
    """A normalized SourceDocument from raw fields, or a Rejection when no text is left."""
    body = raw.body.strip() if raw.body_is_normalized else normalize_text(raw.body)
    if not body:
        return Rejection(rel_path, line, "empty: no text")
    return SourceDocument(
        source_path=rel_path if line is None else f"{rel_path}#{line}",
        title=_inline_field(raw.title) or title_from_body(body),
        publisher=_inline_field(raw.publisher),
        url=_inline_field(raw.url),
        published_date=parse_published(raw.published),
        body=body,
        content_sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )


def _inline_field(value: str | None) -> str | None:
    """A normalized one-line field value; blank becomes None."""
    return (normalize_inline(value) or None) if value else None


def _checked_root(root: Path) -> Path:
    """`root` as a Path, or SourceNotFound when it is not an existing directory."""
    root = Path(root)
    if not root.exists():
        raise SourceNotFound(f"source folder does not exist: {root}")
    if not root.is_dir():
        raise SourceNotFound(f"source path is not a directory: {root}")
    return root


@functools.lru_cache(maxsize=16)
def _real_root(root: str) -> str:
    """The root with symlinks resolved, computed once per root rather than per file."""
    return os.path.realpath(root)


def _inside(path: str, real_root: str) -> bool:
    """Whether `path`, symlinks resolved, lies within the resolved root."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _source_file(entry: os.DirEntry, rel_path: str, *, follow: bool) -> SourceFile:
    """SourceFile for a directory entry; link targets outside the root are never stat-ed."""
    try:
        info = entry.stat(follow_symlinks=follow)
    except OSError:
        info = entry.stat(follow_symlinks=False)
    return SourceFile(_nfc(rel_path), Path(entry.path), info.st_size, info.st_mtime_ns)


def _nfc(text: str) -> str:
    """NFC form, so that names from macOS (NFD) and Linux (NFC) compare equal."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "Rejection",
    "SourceDocument",
    "SourceFile",
    "SourceNotFound",
    "list_source_files",
    "parse_file",
    "read_source",
]
