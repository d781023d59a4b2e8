"""Anchored alternations split by first character, so a match tries only the alternatives that can start there."""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812 - the regex parser's opcode names
from re import _parser

# The engine tries every alternative of a big alternation in turn at a position; with case-insensitive words it
# cannot skip one on its first letter. Grouping the alternatives by the characters they can start with and
# compiling one pattern per group keeps the order (so the same alternative wins) at a fraction of the cost.

_ANY = None


def _first(items, icase: bool) -> tuple[set[str] | None, bool]:
    """Characters a parsed sequence can start with (None: any) and whether it can match the empty string."""
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out |= _cased(chr(av), icase)
            return out, False
        if op is C.IN:
            chars = _charset(av, icase)
            if chars is _ANY:
                return _ANY, False
            return out | chars, False
        if op is C.BRANCH:
            nullable = False
            for alt in av[1]:
                f, n = _first(alt, icase)
                if f is _ANY:
                    return _ANY, False
                out |= f
                nullable = nullable or n
            if not nullable:
                return out, False
            continue
        if op is C.SUBPATTERN:
            _group, add, dele, sub = av
            sub_icase = (icase or bool(add & C.SRE_FLAG_IGNORECASE)) and not dele & C.SRE_FLAG_IGNORECASE
            f, n = _first(sub, sub_icase)
            if f is _ANY:
                return _ANY, False
            out |= f
            if not n:
                return out, False
            continue
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            f, n = _first(sub, icase)
            if f is _ANY:
                return _ANY, False
            out |= f
            if lo > 0 and not n:
                return out, False
            continue
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            # Zero-width: it only narrows where a match may start, so skipping it keeps the set a superset.
            continue
        return _ANY, False
    return out, True


def _cased(c: str, icase: bool) -> set[str]:
    if not icase:
        return {c}
    if not c.isascii() and (c.lower().isascii() or c.upper().isascii()):
        raise ValueError(f"case folding of {c!r} reaches ASCII")
    return {c, c.lower(), c.upper()}


def _charset(items, icase: bool) -> set[str] | None:
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out |= _cased(chr(av), icase)
        elif op is C.RANGE and av[1] - av[0] < 256:
            for code in range(av[0], av[1] + 1):
                out |= _cased(chr(code), icase)
        else:
            return _ANY
    return out


class FirstCharMatcher:
    """`re.compile(head + "(?:" + "|".join(alternatives) + ")" + tail, flags).match`, dispatched on one character.

    Only ASCII characters are dispatched (their case folding stays within ASCII); any other character, or an
    alternative whose first character cannot be told, goes to the full pattern.
    """

    def __init__(self, alternatives: list[str], tail: str = "", flags: int = 0):
        self.full = re.compile("(?:" + "|".join(alternatives) + ")" + tail, flags)
        icase = bool(flags & re.I)
        firsts = []
        for alt in alternatives:
            f, nullable = _first(_parser.parse(alt, flags), icase)
            firsts.append(_ANY if nullable else f)
        self._table: list[re.Pattern[str] | None] = []
        cache: dict[tuple[int, ...], re.Pattern[str] | None] = {}
        for code in range(128):
            ch = chr(code)
            picked = tuple(i for i, f in enumerate(firsts) if f is _ANY or ch in f)
            if picked not in cache:
                cache[picked] = (
                    re.compile("(?:" + "|".join(alternatives[i] for i in picked) + ")" + tail, flags)
                    if picked
                    else None
                )
            self._table.append(cache[picked])

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """Same result as the full pattern's match at pos."""
        if endpos is None:
            endpos = len(text)
        if pos >= endpos:
            return self.full.match(text, pos, endpos)
        code = ord(text[pos])
        if code >= 128:
            return self.full.match(text, pos, endpos)
        rx = self._table[code]
        return rx.match(text, pos, endpos) if rx is not None else None
