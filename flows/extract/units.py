"""Unit lexicon for figures: currencies, measures with conversion factors, and count-noun singulars."""

from __future__ import annotations

import re

from flows.extract.metrics_dispatch import FirstCharMatcher

# Symbols and codes written before the number; longest first so `US$` wins over `$`.
CURRENCY_PREFIXES: dict[str, str] = {
    "us$": "USD", "u.s.$": "USD", "usd": "USD", "$": "USD", "hk$": "HKD", "hkd": "HKD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "c$": "CAD", "ca$": "CAD", "cad": "CAD",
    "s$": "SGD", "sgd": "SGD", "nz$": "NZD", "nt$": "TWD", "r$": "BRL", "£": "GBP", "gbp": "GBP",
    "€": "EUR", "eur": "EUR", "¥": "CNY", "rmb": "CNY", "cny": "CNY", "jpy": "JPY", "₹": "INR",
    "rs": "INR", "rs.": "INR", "inr": "INR", "₩": "KRW", "krw": "KRW", "chf": "CHF", "₱": "PHP",
    "₦": "NGN", "₽": "RUB", "₺": "TRY", "rp": "IDR", "rm": "MYR", "r": "ZAR",
}
_PREFIX_ALT = "|".join(
    re.escape(p).replace(r"\$", r"\s?\$") for p in sorted(CURRENCY_PREFIXES, key=len, reverse=True)
)
# Anchored at the end of a short window before the number.
CURRENCY_PREFIX_RE = re.compile(rf"(?<![A-Za-z])({_PREFIX_ALT})\s?$", re.I)

# Currency names written after the number: (pattern, code).
_CURRENCY_WORDS: list[tuple[str, str]] = [
    (r"(?:U\.\s?S\.?|US|American)\s+dollars?", "USD"),
    (r"(?:Hong\s+Kong|HK)\s+dollars?", "HKD"),
    (r"(?:Australian|Aussie)\s+dollars?", "AUD"),
    (r"Canadian\s+dollars?", "CAD"),
    (r"Singapore(?:an)?\s+dollars?", "SGD"),
    (r"New\s+Zealand\s+dollars?", "NZD"),
    (r"(?:New\s+)?Taiwan(?:ese)?\s+dollars?|NT\s+dollars?", "TWD"),
    (r"dollars?", "USD"),
    (r"yuan|renminbi|RMB|CNY", "CNY"),
    (r"euros?|EUR", "EUR"),
    (r"(?:British\s+)?pounds?\s+sterling|sterling|GBP", "GBP"),
    (r"Egyptian\s+pounds?", "EGP"),
    (r"(?:Japanese\s+)?yen|JPY", "JPY"),
    (r"(?:South\s+)?(?:Korean\s+)?won|KRW", "KRW"),
    (r"Pakistani\s+rupees?", "PKR"),
    (r"Sri\s+Lankan\s+rupees?", "LKR"),
    (r"(?:Indian\s+)?rupees?|INR", "INR"),
    (r"(?:Russian\s+)?(?:rubles?|roubles?)", "RUB"),
    (r"Philippine\s+pesos?", "PHP"),
    (r"(?:Mexican\s+)?pesos?", "MXN"),
    (r"ringgit", "MYR"),
    (r"baht", "THB"),
    (r"rand", "ZAR"),
    (r"dirhams?", "AED"),
    (r"(?:Saudi\s+)?riyals?", "SAR"),
    (r"Swiss\s+francs?|CHF", "CHF"),
    (r"Danish\s+(?:kroner|krone|crowns?)", "DKK"),
    (r"Swedish\s+(?:kronor|krona|crowns?)", "SEK"),
    (r"Norwegian\s+(?:kroner|krone|crowns?)", "NOK"),
    (r"naira", "NGN"),
    (r"(?:Kenyan\s+)?shillings?", "KES"),
    (r"taka", "BDT"),
    (r"(?:Vietnamese\s+)?dong", "VND"),
    (r"rupiah", "IDR"),
    (r"(?:Turkish\s+)?lira", "TRY"),
    (r"(?:Brazilian\s+)?reais", "BRL"),
    (r"zlotys?|zloty", "PLN"),
    (r"hryvnias?", "UAH"),
    (r"tenge", "KZT"),
    (r"USD|HKD|AUD|CAD|SGD|NZD|TWD|KRW|THB|MYR|IDR|PHP|VND|ZAR|AED|SAR|SEK|NOK|DKK|BRL|MXN", ""),
]

# Measures written after the number: (pattern, canonical unit, factor into that unit).
_MEASURES: list[tuple[str, str, float]] = [
    (r"percentage\s+points?|pct\s+points?|ppts?", "percentage_point", 1.0),
    (r"basis\s+points?|bps|bp", "percentage_point", 0.01),
    (r"%|per\s?cent|pct", "percent", 1.0),
    (r"square\s+kilomet(?:er|re)s?|sq\.?\s?km|km2|km²", "hectare", 100.0),
    (r"square\s+met(?:er|re)s?|sq\.?\s?m|m2|m²|sqm", "hectare", 1e-4),
    (r"square\s+miles?|sq\.?\s?mi", "hectare", 258.998811),
    (r"square\s+(?:feet|foot)|sq\.?\s?ft", "hectare", 9.290304e-6),
    (r"hectares?|ha", "hectare", 1.0),
    (r"acres?", "hectare", 0.40468564224),
    (r"mu", "hectare", 1.0 / 15.0),
    (r"kilomet(?:er|re)s?|km", "km", 1.0),
    (r"centimet(?:er|re)s?|cm", "km", 1e-5),
    (r"millimet(?:er|re)s?|mm", "km", 1e-6),
    (r"met(?:er|re)s?", "km", 1e-3),
    (r"nautical\s+miles?", "km", 1.852),
    (r"miles?", "km", 1.609344),
    (r"feet|foot|ft", "km", 0.0003048),
    (r"yards?|yds?", "km", 0.0009144),
    (r"inch(?:es)?", "km", 2.54e-5),
    (r"metric\s+tons?|tonnes?|tons?", "tonne", 1.0),
    (r"kilograms?|kilos?|kg", "tonne", 1e-3),
    (r"grams?", "tonne", 1e-6),
    (r"pounds?\s+(?=of\b)|lbs?", "tonne", 0.00045359237),
    (r"jin", "tonne", 5e-4),
    (r"ounces?|oz", "tonne", 2.8349523125e-5),
    (r"lit(?:er|re)s?", "liter", 1.0),
    (r"millilit(?:er|re)s?|ml", "liter", 1e-3),
    (r"cubic\s+met(?:er|re)s?|m3|m³", "liter", 1e3),
    (r"gallons?", "liter", 3.785411784),
    (r"barrels?", "liter", 158.987294928),
    (r"kilowatt[\s-]hours?|kwh", "kwh", 1.0),
    (r"megawatt[\s-]hours?|mwh", "kwh", 1e3),
    (r"gigawatt[\s-]hours?|gwh", "kwh", 1e6),
    (r"terawatt[\s-]hours?|twh", "kwh", 1e9),
    (r"kilowatts?|kw", "kw", 1.0),
    (r"megawatts?|mw", "kw", 1e3),
    (r"gigawatts?|gw", "kw", 1e6),
    (r"watts?", "kw", 1e-3),
    (r"decades?", "year", 10.0),
    (r"years?|yrs?", "year", 1.0),
    (r"months?", "month", 1.0),
    (r"weeks?", "week", 1.0),
    (r"days?", "day", 1.0),
    (r"hours?|hrs?", "hour", 1.0),
    (r"horsepower|hp|bhp", "horsepower", 1.0),
    (r"gigabytes?|gb", "gigabyte", 1.0),
    (r"terabytes?|tb", "terabyte", 1.0),
    (r"degrees?\s+(?:celsius|centigrade|c)\b|°\s?c", "celsius", 1.0),
    (r"degrees?\s+(?:fahrenheit|f)\b|°\s?f", "fahrenheit", 1.0),
    (r"degrees?", "degree", 1.0),
    (r"celsius|centigrade", "celsius", 1.0),
    (r"fahrenheit", "fahrenheit", 1.0),
    (r"points?|pts", "point", 1.0),
]

UNIT_TABLE: list[tuple[str, float]] = []
_unit_alts: list[str] = []
for _pat, _code in _CURRENCY_WORDS:
    _unit_alts.append(f"(?P<u{len(UNIT_TABLE)}>{_pat})")
    UNIT_TABLE.append((_code, 1.0))
for _pat, _unit, _factor in _MEASURES:
    _unit_alts.append(f"(?P<u{len(UNIT_TABLE)}>{_pat})")
    UNIT_TABLE.append((_unit, _factor))

# A unit directly after the number (optionally hyphen-free space); case-insensitive on purpose.
UNIT_RE = re.compile(r"[ \t\u00a0]?(?:" + "|".join(_unit_alts) + r")(?![\w$])", re.I)
_UNIT_AT = FirstCharMatcher(_unit_alts, r"(?![\w$])", re.I)


def match_unit(text: str, pos: int) -> re.Match[str] | None:
    """`UNIT_RE.match(text, pos)`, trying only the units that can start at the character there."""
    if text[pos:pos + 1] in (" ", "\t", "\u00a0"):
        # No unit starts with a space, so the optional space must be taken.
        return _UNIT_AT.match(text, pos + 1)
    return _UNIT_AT.match(text, pos)

CURRENCY_CODES = frozenset(c for c, _ in _CURRENCY_WORDS if c) | frozenset(CURRENCY_PREFIXES.values()) | {
    "HKD", "AUD", "CAD", "SGD", "NZD", "TWD", "KRW", "THB", "MYR", "IDR", "PHP", "VND", "ZAR", "AED", "SAR",
    "SEK", "NOK", "DKK", "BRL", "MXN",
}
MEASURE_UNITS = frozenset(u for _, u, _ in _MEASURES)

IRREGULAR_PLURALS = {
    "people": "person", "persons": "person", "children": "child", "men": "man", "women": "woman",
    "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose", "lives": "life", "wives": "wife",
    "knives": "knife", "leaves": "leaf", "halves": "half", "shelves": "shelf", "thieves": "thief",
    "wolves": "wolf", "calves": "calf", "loaves": "loaf", "indices": "index", "criteria": "criterion",
    "phenomena": "phenomenon", "data": "data", "media": "media", "analyses": "analysis", "crises": "crisis",
    "theses": "thesis", "bases": "base", "diagnoses": "diagnosis", "species": "species", "series": "series",
    "businesses": "business", "buses": "bus", "viruses": "virus", "campuses": "campus", "bonuses": "bonus",
    "statuses": "status", "censuses": "census", "heroes": "hero", "potatoes": "potato", "tomatoes": "tomato",
    "volcanoes": "volcano", "echoes": "echo", "vetoes": "veto", "cacti": "cactus", "fungi": "fungus",
    "alumni": "alumnus", "premises": "premises", "headquarters": "headquarters", "means": "means",
    "enterprises": "enterprise", "houses": "house", "courses": "course", "horses": "horse", "nurses": "nurse",
    "purses": "purse", "uses": "use", "causes": "cause", "cases": "case", "phases": "phase",
    "databases": "database", "purchases": "purchase", "releases": "release", "increases": "increase",
    "decreases": "decrease", "responses": "response", "licenses": "license", "expenses": "expense",
    "clauses": "clause", "pauses": "pause", "vases": "vase", "franchises": "franchise",
    "exercises": "exercise", "promises": "promise", "surprises": "surprise", "warehouses": "warehouse",
    "greenhouses": "greenhouse", "households": "household", "ties": "tie", "lies": "lie", "pies": "pie",
    "movies": "movie", "cookies": "cookie", "zombies": "zombie", "calories": "calorie", "rookies": "rookie",
    "selfies": "selfie", "hippies": "hippie", "caches": "cache", "niches": "niche", "avalanches": "avalanche",
    "moustaches": "moustache", "headaches": "headache", "toothaches": "toothache", "resumes": "resume",
}
INVARIANT_PLURALS = frozenset({
    "aircraft", "spacecraft", "sheep", "deer", "fish", "cattle", "livestock", "staff", "personnel", "police",
    "poultry", "swine", "hogs", "yuan", "offspring", "bison", "salmon", "shrimp", "moose", "craft",
})
# Words ending in s that are not plural nouns.
NOT_PLURAL = frozenset({
    "this", "was", "has", "is", "its", "as", "us", "yes", "thus", "plus", "news", "status", "bus", "gas",
    "basis", "analysis", "crisis", "lens", "always", "sometimes", "besides", "across", "less", "unless",
    "whereas", "perhaps", "his", "hers", "ours", "yours", "theirs", "does", "goes", "towards", "afterwards",
    "nevertheless", "regardless", "various", "previous", "famous", "serious", "numerous", "enormous",
    "tremendous", "obvious", "continuous", "anonymous", "dangerous", "nervous", "jealous", "gorgeous",
    "vs", "alias", "atlas", "canvas", "chaos", "ethos", "corpus", "focus", "census", "bonus", "campus",
    "virus", "surplus", "consensus", "apparatus", "stimulus", "nucleus", "genius", "bias", "emphasis",
    "thesis", "hypothesis", "diagnosis", "synthesis", "oasis", "tennis", "christmas", "texas", "kansas",
    "arkansas", "paris", "athens", "wales", "mars", "venus", "zeus", "physics", "economics", "politics",
    "mathematics", "statistics", "ethics", "logistics", "athletics", "gymnastics", "electronics",
    "means", "series", "species", "headquarters", "premises", "whereabouts", "overseas", "gross",
    "process", "business", "access", "success", "progress", "address", "express", "congress", "press",
    "loss", "class", "glass", "mass", "boss", "cross", "grass", "stress", "witness", "fitness", "illness",
    "awareness", "happiness", "wellness", "kindness", "darkness", "weakness", "harness", "mattress",
    "nowadays", "outdoors", "indoors", "downstairs", "upstairs", "thanks", "whilst",
})
_PLURAL_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?<=[^aeiou])ies$"), "y"),
    (re.compile(r"(?<=ss)es$"), ""),
    (re.compile(r"(?:(?<=x)|(?<=sh)|(?<=ch)|(?<=zz))es$"), ""),
    (re.compile(r"(?<=[^s])s$"), ""),
]


def singular(word: str) -> str | None:
    """The singular of a lower-case plural noun, or None when the word does not look plural."""
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if word in INVARIANT_PLURALS:
        return word
    if word in NOT_PLURAL or len(word) < 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ous")):
        return None
    for pattern, repl in _PLURAL_RULES:
        if pattern.search(word):
            return pattern.sub(repl, word)
    return None
