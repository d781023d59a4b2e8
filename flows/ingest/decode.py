"""Bytes to text: binary sniffing and encoding detection that never publishes an unverified guess."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer.constant import FREQUENCIES

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh91AY&SY", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 file (old Office document)"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ\x90\x00", "a Windows executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"OggS", "an Ogg media file"),
    (b"fLaC", "a FLAC audio file"),
    (b"wOFF", "a WOFF font"),
    (b"wOF2", "a WOFF2 font"),
)
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}

# Control bytes that text in no 8-bit or multibyte encoding uses (tab, newlines, form feed and ESC, which
# ISO-2022 needs, are allowed); their density separates binary data from text with one stray byte.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_SNIFF_BYTES = 65536
_HTML_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,100}encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""")

# Tried in this order after UTF-8; each must pass the plausibility checks below to be accepted.
_FALLBACK_CODECS = ("cp1252", "gb18030", "big5", "cp932", "cp949")
_LEGACY_CJK_LEVEL1 = {
    # Level 1 of each national standard is its set of frequently used characters, stored in a known
    # lead-byte range; real text stays almost entirely inside it, mis-decoded bytes scatter outside.
    "chinese_simplified": ("gb2312", 0xB0, 0xD7),
    "chinese_traditional": ("big5", 0xA4, 0xC6),
    "japanese": ("euc_jp", 0xB0, 0xCF),
}
_MIN_LEVEL1_SHARE = 0.8
_FREQUENT_CJK = frozenset(FREQUENCIES["Chinese"]) | frozenset(FREQUENCIES["Japanese"])
_MAX_NON_ASCII_LATIN_SHARE = 0.35
_MAX_MESS = 0.2


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, or the rejection reason when it could not be decoded reliably."""

    text: str | None
    reason: str | None = None


def sniff_binary(head: bytes) -> str | None:
    """Why the leading bytes look like binary data rather than text (None when they look like text)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return f"binary: looks like {kind}"
    if head.startswith(b"RIFF") and head[8:12] in _RIFF_KINDS:
        return f"binary: looks like {_RIFF_KINDS[head[8:12]]}"
    if head[4:12] in (b"ftypisom", b"ftypmp42", b"ftypheic", b"ftypavif", b"ftypM4A "):
        return "binary: looks like an MP4/HEIF media file"
    if _utf16_or_32_bom(head) or _looks_like_bomless_utf16(head):
        return None
    sample = head[:_SNIFF_BYTES]
    first_nul = sample.find(0)
    if first_nul >= 0:
        return f"binary: contains NUL bytes (first at byte {first_nul})"
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls >= 2 and controls > len(sample) * 0.02:
        return f"binary: {controls} control bytes in the first {len(sample)} bytes"
    return None


def decode_bytes(data: bytes, *, html: bool = False) -> Decoded:
    """Decode UTF-8 (BOM optional), then UTF-16/32 with BOM, then a verified legacy encoding."""
    bom_codec = _utf16_or_32_bom(data)
    if bom_codec:
        return _verified_or_reason(data, [bom_codec], f"encoding: invalid {bom_codec.upper()} despite its BOM")
    # NUL is valid UTF-8, so UTF-16 without a BOM must be recognised before trying UTF-8.
    if _looks_like_bomless_utf16(data):
        return _verified_or_reason(data, ["utf-16-le", "utf-16-be"], "encoding: NUL-interleaved bytes but not UTF-16")
    try:
        return Decoded(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        utf8_error = error
    if _mostly_utf8(data):
        # Valid multibyte UTF-8 sequences alongside a few broken ones: any 8-bit reading would turn the
        # valid ones into mojibake, so there is no other encoding to verify.
        return Decoded(None, f"encoding: invalid UTF-8 at byte {utf8_error.start}")
    candidates = [_declared_charset(data)] if html else []
    decoded = _first_plausible(data, [*candidates, *_FALLBACK_CODECS])
    if decoded is not None:
        return Decoded(decoded)
    # The detector is slow and often wrong on short texts, so it only proposes candidates, and only
    # when the usual suspects have failed; its guesses pass the same plausibility checks.
    guesses = _charset_normalizer_guesses(data)
    decoded = _first_plausible(data, guesses)
    if decoded is not None:
        return Decoded(decoded)
    return Decoded(None, f"encoding: could not decode reliably (best guess {guesses[0] if guesses else 'unknown'})")


def _verified_or_reason(data: bytes, candidates: list[str], failure: str) -> Decoded:
    """The first plausible decode among `candidates`, else the failure reason."""
    text = _first_plausible(data, candidates)
    return Decoded(text) if text is not None else Decoded(None, failure)


def _first_plausible(data: bytes, candidates: list[str | None]) -> str | None:
    """The text of the first candidate codec whose strict decode is plausible."""
    tried: set[str] = set()
    for candidate in candidates:
        try:
            codec = codecs.lookup(candidate).name if candidate else ""
        except LookupError:
            continue
        if not codec or codec in tried:
            continue
        tried.add(codec)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec.startswith(("utf-16", "utf-32")):
            text = text.removeprefix("\ufeff")
        if is_plausible_text(text, codec):
            return text
    return None


def is_plausible_text(text: str, codec: str) -> bool:
    """Whether text decoded with `codec` reads as real writing rather than mojibake."""
    if any(ord(ch) < 0x20 and ch not in "\t\n\r\x0b\x0c\x1b" for ch in text):
        return False
    if text.isascii():
        return True
    family = _family(codec)
    level1 = _LEGACY_CJK_LEVEL1.get(family)
    scripts: dict[str, int] = {}
    level1_hits = frequent_hits = spaced_han = 0
    latin_run = longest_latin_run = 0
    previous = ""
    for index, ch in enumerate(text):
        if ord(ch) < 0x80:
            latin_run = 0
            following = text[index + 1 : index + 2]
            if ch == " " and previous and _script_of(previous) == "HAN" and _script_of(following) == "HAN":
                spaced_han += 1
            previous = ch if ch != " " else previous
            continue
        previous = ch
        category = unicodedata.category(ch)
        if category in ("Cc", "Co", "Cn", "Cs") or ch == "\ufffd":
            return False
        if not category.startswith("L"):
            # Symbols wedged between accented letters ("Ïç´åÕ") are the signature of CJK read as 8-bit.
            latin_run = latin_run + 1 if category[0] == "S" or category == "No" else 0
            longest_latin_run = max(longest_latin_run, latin_run)
            continue
        script = _script_of(ch)
        scripts[script] = scripts.get(script, 0) + 1
        latin_run = latin_run + 1 if script == "LATIN" else 0
        longest_latin_run = max(longest_latin_run, latin_run)
        if script == "HAN":
            if level1 and _in_level1(ch, level1):
                level1_hits += 1
            if ch in _FREQUENT_CJK:
                frequent_hits += 1
    if family == "unicode":
        # A BOM or NUL-interleaving already identified the encoding; only garbage needed ruling out.
        return True
    han = scripts.pop("HAN", 0)
    kana = scripts.pop("HIRAGANA", 0) + scripts.pop("KATAKANA", 0)
    hangul = scripts.pop("HANGUL", 0)
    latin = scripts.pop("LATIN", 0)
    if "HALFWIDTH" in scripts or (kana and family != "japanese"):
        return False
    if hangul and (family != "korean" or han > hangul * 0.2):
        return False
    if han:
        if family == "japanese" and not kana:
            return False
        if level1 and level1_hits < han * _MIN_LEVEL1_SHARE:
            return False
        # Chinese and Japanese put no spaces between words; Korean read as Chinese keeps its spaces.
        if family != "korean" and spaced_han > han * 0.05:
            return False
        if han >= 30 and frequent_hits < han * 0.08:
            return False
    if len(scripts) > 1 or (scripts and (latin or han or hangul)):
        return False
    if latin and not (han or kana or hangul):
        if longest_latin_run >= 3:
            return False
        ascii_letters = sum(1 for ch in text if ch.isascii() and ch.isalpha())
        if latin > (latin + ascii_letters) * _MAX_NON_ASCII_LATIN_SHARE:
            return False
    return _mess_ratio(text) <= _MAX_MESS


def _family(codec: str) -> str:
    """Which writing system a codec serves, as far as the plausibility rules care."""
    if codec.startswith("utf"):
        return "unicode"
    if codec in ("gb18030", "gbk", "gb2312", "hz"):
        return "chinese_simplified"
    if codec in ("big5", "big5hkscs", "cp950"):
        return "chinese_traditional"
    if codec in ("cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213"):
        return "japanese"
    if codec in ("cp949", "euc_kr", "johab"):
        return "korean"
    return "other"


def _script_of(ch: str) -> str:
    """Coarse script of a letter from its Unicode name ("LATIN", "HAN", "HANGUL", ...)."""
    if not ch or ch.isascii():
        return "LATIN" if ch.isalpha() else "OTHER"
    name = unicodedata.name(ch, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "HAN"
    if name.startswith("HALFWIDTH KATAKANA"):
        return "HALFWIDTH"
    if name.startswith("FULLWIDTH LATIN"):
        return "LATIN"
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _in_level1(ch: str, level1: tuple[str, int, int]) -> bool:
    """Whether a Han character is in the frequently used set of a national standard."""
    codec, low, high = level1
    try:
        encoded = ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and low <= encoded[0] <= high


def _mess_ratio(text: str) -> float:
    """charset-normalizer's chaos measure (0 = clean) on a bounded sample."""
    from charset_normalizer.md import mess_ratio

    return mess_ratio(text[:20000], maximum_threshold=1.0)


def _charset_normalizer_guesses(data: bytes) -> list[str]:
    """Encodings charset-normalizer considers, best first; only ever candidates to verify."""
    from charset_normalizer import from_bytes

    try:
        return [match.encoding for match in from_bytes(data[:_SNIFF_BYTES])][:5]
    except Exception:  # noqa: BLE001 - a detector failure only means fewer candidates
        return []


def is_wide_unicode(head: bytes) -> bool:
    """Whether bytes are UTF-16/32 (BOM or NUL-interleaved), which cannot be split on newline bytes."""
    return bool(_utf16_or_32_bom(head)) or _looks_like_bomless_utf16(head)


def _utf16_or_32_bom(data: bytes) -> str | None:
    """The UTF-16/32 codec announced by a byte order mark."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """Mostly-ASCII text in UTF-16 without a BOM: NUL bytes on every other position."""
    sample = data[:4096]
    if len(sample) < 8 or 0 not in sample:
        return False
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even_nuls, odd_nuls) > half * 0.6 and min(even_nuls, odd_nuls) < half * 0.05


def _mostly_utf8(data: bytes) -> bool:
    """Whether the bytes hold more valid multibyte UTF-8 sequences than broken ones."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid_multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - broken
    return valid_multibyte > 0 and valid_multibyte >= broken


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes."""
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _HTML_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None
