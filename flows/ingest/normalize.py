"""Text normalization shared by every format: the body it returns is what all character offsets point into."""

from __future__ import annotations

import html
import re
import unicodedata

# Only entities terminated by ";" are decoded: html.unescape alone also decodes legacy forms without
# it, which would turn plain text such as "?a=1&para=2" or "Q&notes" into "¶=2" / "Q¬es".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

# Every vertical separator becomes "\n"; \r\n first so it counts as one break.
_LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

# C0/C1 controls other than tab and newline, plus BOM/zero-width no-break space and soft hyphen-like
# invisible format characters that crawlers leave behind. Quotes and dashes are deliberately untouched.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\u200b\u2060\ufff9-\ufffb]")

# Horizontal whitespace of any script (tab, NBSP, thin space, ideographic space...) counts as a space.
_HSPACE_RUN = re.compile(r"[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")

_NEEDS_SLOW_PASS = re.compile(r"[^\x20-\x7e\n]|  ")


def decode_entities(text: str) -> str:
    """Decode `&amp;`-style entities (only the `;`-terminated ones)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def normalize_text(text: str, *, entities: bool = True) -> str:
    """Normalized body text: entities decoded, NFC, no controls, tidy whitespace, paragraph breaks kept."""
    if entities:
        text = decode_entities(text)
    if _NEEDS_SLOW_PASS.search(text):
        text = _LINE_BREAK.sub("\n", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = _INVISIBLE.sub("", text)
        text = _HSPACE_RUN.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalize_inline(text: str, *, entities: bool = True) -> str:
    """One-line field value (title, publisher, url): normalized, every break turned into a space."""
    return " ".join(normalize_text(text, entities=entities).split())


def title_from_body(body: str, limit: int = 200) -> str:
    """The first non-empty line of the body, cut at a word boundary near `limit` characters."""
    first_line = next((line.strip() for line in body.split("\n") if line.strip()), "")
    if len(first_line) <= limit:
        return first_line
    cut = first_line.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit
    return first_line[:cut].rstrip(" ,;:-") + "…"
