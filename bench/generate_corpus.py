"""Write a deterministic corpus of varied, news-like articles in every supported format.

    python bench/generate_corpus.py --docs 100000 --out /tmp/corpus [--seed 7]

About 2.3 KB of text per article; 60% .txt with a header, 15% .md, 10% .html, 15% in .jsonl files of
100 lines. The text is synthetic (names, places, organizations, figures, quotations drawn from lists),
so it exercises every extractor path without copying any real article.

Figure density is calibrated on real news: the extractor finds 1.9 figures per KB in the sample article
and 3.3 in the dev set's four articles (economy and business copy), so sentences that state figures are
mixed with sentences of background, attribution and quotation to give about 3.5 per KB. `--dense`
writes the earlier corpus instead, every sentence stating figures (about 14.6 per KB): a stress case
for the figure extractor, four times denser than any real article we measured.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Sun", "Ma", "Hu", "Guo"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Tao", "Xiaoming", "Hongmei", "Jianguo", "Lina", "Haoran"]
WESTERN = ["Anna Keller", "David Morgan", "Sofia Rossi", "James Porter", "Priya Nair", "Rahul Mehta", "Maria Lopez"]
ROLES = ["professor", "economist", "village official", "researcher", "analyst", "farmer", "director", "founder"]
ORGS = [
    "Zhejiang University", "China Agricultural University", "Rural Development Institute", "Alibaba",
    "JD.com", "National Bureau of Statistics", "Ministry of Agriculture and Rural Affairs", "Asian Development Bank",
    "World Bank", "Pinduoduo", "China Development Bank", "Reuters", "Xinhua",
]
PLACES = [
    "Yunnan Province", "Guizhou", "Sichuan", "Zhejiang", "Anhui", "Hunan", "Gansu", "Shaanxi", "Jiangxi",
    "Fujian", "Hainan", "Inner Mongolia", "Kenya", "India", "Vietnam", "Brazil", "Indonesia",
]
VILLAGES = ["Huangshan", "Dali", "Anji", "Yuanyang", "Wuyuan", "Lijiang", "Kaili", "Zhangjiajie", "Xijiang"]
PUBLISHERS = ["Xinhua", "China Daily", "People's Daily Online", "Reuters", "The Hindu", "Nikkei Asia"]
NOUNS = ["households", "visitors", "farmers", "tourists", "orders", "villages", "cooperatives", "students", "jobs"]
TOPICS = ["rural tourism", "e-commerce", "tea farming", "livestreaming", "road building", "solar power", "fishing"]
MONEY = ["yuan", "million yuan", "billion yuan", "U.S. dollars", "million U.S. dollars", "rupees", "euros"]
# Share of sentences that state figures in the realistic corpus (see the module docstring).
FIGURE_SHARE = 0.22
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def person(rng: random.Random) -> str:
    return rng.choice(WESTERN) if rng.random() < 0.25 else f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"


def amount(rng: random.Random) -> str:
    unit = rng.choice(MONEY)
    value = rng.choice([rng.randint(2, 99), rng.randint(100, 9999), round(rng.uniform(1, 99), 1)])
    value_text = f"{value:,}" if isinstance(value, int) else f"{value}"
    hedge = rng.choice(["", "", "about ", "more than ", "nearly ", "over ", "around "])
    return f"{hedge}{value_text} {unit}"


def figure_sentences(rng: random.Random, speaker: str, place: str) -> list[str]:
    """Sentence shapes of wire copy that state figures (two or three each)."""
    org, topic, noun = rng.choice(ORGS), rng.choice(TOPICS), rng.choice(NOUNS)
    year = rng.randint(2019, 2025)
    shapes = [
        f"In {rng.choice(MONTHS)} {year}, {place} reported {amount(rng)} in revenue from {topic}, "
        f"up {rng.randint(2, 40)} percent from a year earlier.",
        f"More than {rng.randint(2, 900):,} {noun} in {place} took part, according to the {org}.",
        f'"We have seen real change in {topic} here," said {speaker}, a {rng.choice(ROLES)} at {org}. '
        f'"Young people are coming back because the work pays."',
        f"The county invested {amount(rng)} in {topic} last year and plans to add "
        f"{rng.randint(3, 60)} {noun} by the end of {year + 1}.",
        f"{speaker} said the average income of {noun} rose to between {rng.randint(2, 5)},000 and "
        f"{rng.randint(6, 9)},000 yuan per month.",
        f"Sales through {rng.choice(ORGS)} reached {amount(rng)} in the first quarter of {year}, "
        f"while {rng.randint(10, 500):,} {noun} joined online stores.",
        f"The {rng.choice(VILLAGES)} Village project covers {rng.randint(50, 5000):,} mu of farmland "
        f"and {rng.randint(2, 80)} kilometers of new roads.",
        f"Its {rng.randint(2, 90)} megawatt solar farm produced about {rng.randint(10, 900)} million kilowatt-hours, "
        f"and {rng.randint(100, 9000):,} tonnes of tea were shipped.",
    ]
    return shapes


def paragraph(rng: random.Random, speaker: str, place: str) -> str:
    """One paragraph of the dense corpus: two to four sentences, each stating figures."""
    return " ".join(rng.sample(figure_sentences(rng, speaker, place), k=rng.randint(2, 4)))


def prose_sentences(rng: random.Random, speaker: str, place: str) -> list[str]:
    """Sentence shapes of wire copy that state no figure: background, attribution, quotation."""
    org, other_org, topic, noun = rng.choice(ORGS), rng.choice(ORGS), rng.choice(TOPICS), rng.choice(NOUNS)
    other_place, village, role = rng.choice(PLACES), rng.choice(VILLAGES), rng.choice(ROLES)
    return [
        f"{place} has long depended on farming, but officials say {topic} has changed what {noun} expect.",
        f"{speaker} grew up in {village} and came back after years of work in a coastal city.",
        f"Critics, including researchers at the {org}, warn that the gains may not last without steady support.",
        f'"It is not easy, but we are learning every day," {speaker} told reporters.',
        f"The {org} did not respond to a request for comment on the plan.",
        "Roads that once turned to mud in the rainy season are now paved, and buses stop in the village square.",
        f"The effort has drawn attention from the {other_org} and from officials in {other_place}.",
        f"Many {noun} still leave for factory jobs in the cities, while older residents tend the fields.",
        f"Analysts at the {org} say {topic} could help narrow the gap between cities and the countryside.",
        f'"People here used to think {topic} was only for big companies," said {person(rng)}, a {role}. '
        f'"Now they see their neighbors doing it."',
        f"Officials in {place} said the program would continue, though they gave no details of its budget.",
        f"Younger residents film short videos of the hills and sell dried fruit and tea to buyers in "
        f"{other_place}.",
        f"The local government has promised training courses, cheaper loans and faster delivery for {noun}.",
        f"{speaker}, who studied at {rng.choice(ORGS)}, now runs a small shop that sells {topic} services.",
        f"Some {noun} remain skeptical and say the benefits have gone mostly to those with good connections.",
        f"The {village} project is part of a national push to revive the countryside and keep {noun} at home.",
    ]


def mixed_paragraph(rng: random.Random, speaker: str, place: str) -> str:
    """One paragraph of the realistic corpus: three or four sentences, each stating figures at odds FIGURE_SHARE."""
    sentences = []
    for _ in range(rng.randint(3, 4)):
        shapes = figure_sentences if rng.random() < FIGURE_SHARE else prose_sentences
        sentences.append(rng.choice(shapes(rng, speaker, place)))
    return " ".join(sentences)


def article(rng: random.Random, index: int, dense: bool = False) -> dict:
    place = rng.choice(PLACES)
    speaker = person(rng)
    topic = rng.choice(TOPICS)
    title = f"{place} bets on {topic} as {rng.choice(NOUNS)} return ({index})"
    published = date(2019, 1, 1) + timedelta(days=rng.randint(0, 2400))
    paragraph_of = paragraph if dense else mixed_paragraph
    body = "\n\n".join(paragraph_of(rng, speaker, place) for _ in range(rng.randint(5, 8)))
    return {
        "title": title,
        "source": rng.choice(PUBLISHERS),
        "url": f"https://news.example.org/{published:%Y/%m/%d}/{index}",
        "published": published.isoformat(),
        "text": body,
    }


def write_corpus(out: Path, docs: int, seed: int, dense: bool = False) -> None:
    """Write docs articles under out, spread over folders of 1,000 files."""
    rng = random.Random(seed)
    jsonl_lines: list[str] = []
    for i in range(docs):
        a = article(rng, i, dense)
        folder = out / f"part-{i // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        kind = rng.random()
        if kind < 0.60:
            header = f"title: {a['title']}\nsource: {a['source']}\nurl: {a['url']}\npublished: {a['published']}\n\n"
            (folder / f"a{i:06d}.txt").write_text(header + a["text"] + "\n", encoding="utf-8")
        elif kind < 0.75:
            md = f"---\ntitle: {a['title']}\nsource: {a['source']}\npublished: {a['published']}\n---\n\n"
            (folder / f"a{i:06d}.md").write_text(md + f"# {a['title']}\n\n" + a["text"] + "\n", encoding="utf-8")
        elif kind < 0.85:
            paras = "".join(f"<p>{p}</p>" for p in a["text"].split("\n\n"))
            html = (
                f"<html><head><title>{a['title']}</title><meta property='og:site_name' content='{a['source']}'>"
                f"<meta name='date' content='{a['published']}'></head><body><article><h1>{a['title']}</h1>"
                f"{paras}</article><script>var x = 1;</script></body></html>"
            )
            (folder / f"a{i:06d}.html").write_text(html, encoding="utf-8")
        else:
            jsonl_lines.append(json.dumps(a))
            if len(jsonl_lines) == 100:
                (folder / f"feed{i:06d}.jsonl").write_text("\n".join(jsonl_lines) + "\n", encoding="utf-8")
                jsonl_lines = []
    if jsonl_lines:
        (out / "feed-last.jsonl").write_text("\n".join(jsonl_lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dense", action="store_true", help="every sentence states figures (a stress case)")
    a = ap.parse_args()
    write_corpus(a.out, a.docs, a.seed, a.dense)


if __name__ == "__main__":
    main()
