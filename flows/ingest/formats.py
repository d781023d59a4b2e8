"""Per-format parsing of decoded text into raw fields; normalization of the result happens in the caller."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass
class RawDocument:
    """Fields as a format states them, before normalization; `body` may still need tidying."""

    body: str
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: object = None
    body_is_normalized: bool = False  # a slice of already-normalized text needs only strip()


class FormatError(ValueError):
    """A file or line whose structure cannot be read; the message is the rejection reason."""


_HEADER_KEYS = {
    "title": "title",
    "source": "publisher",
    "publisher": "publisher",
    "url": "url",
    "published": "published",
    "published_date": "published",
    "date": "published",
}
_HEADER_LINE = re.compile(r"(?i)(title|source|publisher|url|published_date|published|date)[ \t]*:[ \t]*(.*)")


def parse_plain_text(text: str) -> RawDocument:
    """A .txt document: optional `key: value` header lines, a blank line, then the body.

    Header-looking lines count as a header only at the very top and only when a blank line (or the end
    of the file) follows them; anything else, e.g. "Source: ministry data" inside the text, is body.
    """
    fields, body = _split_header(text)
    return RawDocument(body=body, body_is_normalized=True, **fields)


def _split_header(text: str) -> tuple[dict[str, str | None], str]:
    """Header fields and the remaining body of already-normalized text."""
    fields: dict[str, str | None] = {}
    position = 0
    while True:
        end = text.find("\n", position)
        line = text[position:] if end < 0 else text[position:end]
        match = _HEADER_LINE.fullmatch(line)
        if not match:
            break
        field = _HEADER_KEYS[match.group(1).lower()]
        fields.setdefault(field, match.group(2).strip() or None)
        if end < 0:
            return fields, ""
        position = end + 1
    if fields and (position >= len(text) or text.startswith("\n", position)):
        return fields, text[position:]
    return {}, text


_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)
_FRONT_MATTER_LINE = re.compile(r"(?i)(title|source|publisher|url|published_date|published|date)[ \t]*:[ \t]*(.*)")
_FENCE = re.compile(r"[ \t]*(```|~~~)")
_ATX_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_UNDERLINE = re.compile(r"[ \t]*(=+|-+)[ \t]*")
_THEMATIC_BREAK = re.compile(r"[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
_REFERENCE_DEFINITION = re.compile(r"[ \t]*\[[^\]]+\]:[ \t]+\S+.*")
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)*(?:[-*+][ \t]+)?")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]+)\](?:\((?:[^()\s]|\([^)]*\))*(?:[ \t]+\"[^\"]*\")?\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
# Escaped characters hide in the private use area while markup is stripped, then come back literally.
_ESCAPE_BASE = 0xF0000


def parse_markdown(text: str) -> RawDocument:
    """A Markdown document: optional front matter, title from it or the first `# ` heading, markup stripped."""
    fields: dict[str, str | None] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front.group(1).split("\n"):
            match = _FRONT_MATTER_LINE.fullmatch(line.strip())
            if match:
                value = match.group(2).strip().strip("\"'").strip()
                fields.setdefault(_HEADER_KEYS[match.group(1).lower()], value or None)
        text = text[front.end() :]
    body, first_heading = _strip_markdown(text)
    if not fields.get("title") and first_heading:
        fields["title"] = first_heading
    return RawDocument(body=body, **fields)


def _strip_markdown(text: str) -> tuple[str, str | None]:
    """Plain text of Markdown, and the text of its first level-1 heading."""
    text = _ESCAPED.sub(lambda m: chr(_ESCAPE_BASE + ord(m.group(1))), text)
    lines = text.split("\n")
    out: list[str] = []
    first_heading: str | None = None
    in_fence: str | None = None
    for line in lines:
        fence = _FENCE.match(line)
        if in_fence:
            if fence and fence.group(1) == in_fence:
                in_fence = None
            else:
                out.append(line)
            continue
        if fence:
            in_fence = fence.group(1)
            continue
        if _REFERENCE_DEFINITION.fullmatch(line):
            continue
        if _THEMATIC_BREAK.fullmatch(line) or (out and out[-1].strip() and _SETEXT_UNDERLINE.fullmatch(line)):
            out.append("")
            continue
        heading = _ATX_HEADING.fullmatch(line)
        if heading:
            line = heading.group(2)
            if first_heading is None and len(heading.group(1)) == 1:
                first_heading = _strip_inline(line)
        else:
            line = _BLOCK_PREFIX.sub("", line, count=1)
        stripped = _strip_inline(line)
        if stripped.strip() or not line.strip():
            # A line that held only an image disappears rather than leaving a paragraph break behind.
            out.append(stripped)
    body = "\n".join(out)
    body = re.sub(r"[\U000F0000-\U000F007F]", lambda m: chr(ord(m.group(0)) - _ESCAPE_BASE), body)
    if first_heading:
        first_heading = re.sub(r"[\U000F0000-\U000F007F]", lambda m: chr(ord(m.group(0)) - _ESCAPE_BASE), first_heading)
    return body, first_heading


def _strip_inline(line: str) -> str:
    """A Markdown line without images, link targets, code ticks or emphasis markers."""
    if not any(marker in line for marker in "![]<`*_~"):
        return line
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _INLINE_CODE.sub(r"\2", line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS_STAR.sub(r"\1", line)
    line = _EMPHASIS_UNDERSCORE.sub(r"\1", line)
    return _STRIKE.sub(r"\1", line)


_DATE_CONFIG = {"extensive_search": False, "original_date": True}
_DROPPED_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed", "head")
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "blockquote", "pre", "section", "article", "header", "footer", "main", "aside", "nav", "figure",
    "figcaption", "hr", "address", "form", "fieldset", "details", "summary",
)  # fmt: skip


def parse_html(text: str) -> RawDocument:
    """An HTML page: main text and metadata from trafilatura, else the plain text of <body>."""
    import trafilatura

    extracted = None
    try:
        extracted = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            date_extraction_params=dict(_DATE_CONFIG),
        )
    except Exception:  # noqa: BLE001 - pathological trees (RecursionError...) fall back to lxml alone
        extracted = None
    if extracted is not None and extracted.text and extracted.text.strip():
        return RawDocument(
            body=extracted.text,
            title=extracted.title,
            publisher=extracted.sitename,
            url=extracted.url,
            published=extracted.date,
        )
    tree = _parse_html_tree(text)
    metadata = _metadata_of(tree)
    try:
        body = _tree_text(tree) if tree is not None else ""
    except (RecursionError, ValueError, MemoryError) as error:
        raise FormatError(f"html: no text could be extracted ({type(error).__name__})") from None
    return RawDocument(
        body=body,
        title=metadata.get("title"),
        publisher=metadata.get("sitename"),
        url=metadata.get("url"),
        published=metadata.get("date"),
    )


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML snippet (a JSON body field), scripts and styles dropped."""
    import lxml.html

    try:
        tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    return _tree_text(tree)


def _parse_html_tree(text: str) -> Any:
    """lxml tree of a page, or None when there is nothing to parse."""
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.document_fromstring(text)
    except (ValueError, lxml.etree.ParserError):
        return None


def _metadata_of(tree: Any) -> dict[str, str | None]:
    """Title, site name, canonical url and date of a page trafilatura found no main text in."""
    if tree is None:
        return {}
    from trafilatura.metadata import extract_metadata

    try:
        metadata = extract_metadata(tree, date_config=dict(_DATE_CONFIG), extensive=False)
    except Exception:  # noqa: BLE001 - metadata is optional; the text is what must not be lost
        return {}
    return {"title": metadata.title, "sitename": metadata.sitename, "url": metadata.url, "date": metadata.date}


def _tree_text(tree: Any) -> str:
    """Visible text of an lxml tree with line breaks at block boundaries; iterative, so depth is no issue."""
    import lxml.etree

    unwanted = (*_DROPPED_TAGS, lxml.etree.Comment, lxml.etree.ProcessingInstruction)
    lxml.etree.strip_elements(tree, *unwanted, with_tail=False)
    for element in tree.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    return "".join(tree.itertext())


_JSON_TEXT_KEYS = ("text", "body", "content")
_JSON_FIELD_KEYS = {
    "title": ("title", "headline"),
    "publisher": ("source", "publisher"),
    "url": ("url", "link"),
    "published": ("published", "published_date", "date", "published_at"),
}
_HAS_TAGS = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9]*\s*)>")


def parse_json_record(line: str) -> RawDocument:
    """One JSON Lines record; raises FormatError with the rejection reason when it is not a document."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise FormatError(f"json: invalid JSON ({error.msg} at column {error.colno})") from None
    except (ValueError, RecursionError) as error:
        raise FormatError(f"json: invalid JSON ({type(error).__name__})") from None
    if not isinstance(record, dict):
        raise FormatError(f"json: expected an object, got {type(record).__name__}")
    text_key = next((key for key in _JSON_TEXT_KEYS if record.get(key) not in (None, "")), None)
    if text_key is None:
        raise FormatError("no_text: none of the fields text/body/content is present and non-empty")
    body = record[text_key]
    if not isinstance(body, str):
        raise FormatError(f"no_text: field '{text_key}' is a {type(body).__name__}, not a string")
    if _HAS_TAGS.search(body):
        body = html_fragment_to_text(body)
    fields = {name: _first_string(record, keys) for name, keys in _JSON_FIELD_KEYS.items()}
    return RawDocument(body=body, **fields)


def _first_string(record: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of `keys` whose value is a non-blank string."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


__all__ = [
    "FormatError",
    "RawDocument",
    "html_fragment_to_text",
    "parse_html",
    "parse_json_record",
    "parse_markdown",
    "parse_plain_text",
]
