"""Text normalization shared by every format: the body it returns is what all character offsets point into."""

from __future__ import annotations

import html
import re
import unicodedata

# Only entities terminated by ";" are decoded: html.unescape alone also decodes legacy forms without
# it, which would turn plain text such as "?a=1&para=2" or "Q&notes" into "¶=2" / "Q¬es".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Characters a plain text rarely has and normalization must rewrite: vertical separators become "\n",
# horizontal spaces of any script (tab, NBSP, ideographic space...) become " ", and controls plus
# invisible BOM / zero-width characters that crawlers leave behind are dropped. One scan finds them all.
# Quotation marks and dashes are deliberately untouched: annotations compare text against the body.
_RARE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\ufff9-\ufffb]"
)
_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_RARE_REPLACEMENT = {**dict.fromkeys(_LINE_BREAKS, "\n"), **dict.fromkeys(_SPACES, " ")}
_SPACE_RUN = re.compile(r"  +")
_BLANK_LINES = re.compile(r"\n{3,}")


def decode_entities(text: str) -> str:
    """Decode `&amp;`-style entities (only the `;`-terminated ones)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def normalize_text(text: str, *, entities: bool = True) -> str:
    """Normalized body text: entities decoded, NFC, no controls, tidy whitespace, paragraph breaks kept."""
    # Substring tests and str.replace are an order of magnitude faster than re.sub on every line; the
    # regexes only run when a cheap test says there is something for them to do.
    if entities:
        text = decode_entities(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _RARE.sub(_replace_rare, text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " \n" in text:
        text = text.replace(" \n", "\n")
    if "\n " in text:
        text = text.replace("\n ", "\n")
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _replace_rare(match: re.Match[str]) -> str:
    """What a rare character becomes: a newline, a space, or nothing."""
    return _RARE_REPLACEMENT.get(match.group(0), "")


def normalize_inline(text: str, *, entities: bool = True) -> str:
    """One-line field value (title, publisher, url): normalized, every break turned into a space."""
    return " ".join(normalize_text(text, entities=entities).split())


def title_from_body(body: str, limit: int = 200) -> str:
    """The first non-empty line of the body, cut at a word boundary near `limit` characters."""
    body = body.lstrip()
    end = body.find("\n")
    first_line = (body if end < 0 else body[:end]).strip()
    if len(first_line) <= limit:
        return first_line
    cut = first_line.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit
    return first_line[:cut].rstrip(" ,;:-") + "…"
