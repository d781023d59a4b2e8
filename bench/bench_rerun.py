"""First run versus an unchanged rerun of `ruralpulse run` on N synthetic articles: wall time and per-stage counts."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
RURALPULSE = Path(sys.executable).with_name("ruralpulse")

GIVEN = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Hu", "Guo"]
PERSONAL = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Hong", "Jun", "Ping", "Xiaoling", "Guohua", "Meilin", "Tao"]
PLACES = ["Yunnan", "Guizhou", "Hunan", "Sichuan", "Zhejiang", "Guangxi", "Gansu", "Anhui", "Jiangxi", "Shaanxi"]
VILLAGES = ["Xiamu", "Luoxi", "Baisha", "Qingshan", "Dongping", "Heping", "Shangli", "Taoyuan", "Yuxi", "Longtan"]
ROLES = ["a farmer", "the village Party secretary", "an agronomist", "head of the cooperative", "a local official"]
GOODS = ["tea", "rice", "kiwifruit", "bamboo crafts", "mushrooms", "pears", "honey", "chili peppers", "walnuts"]
UNITS = [("tonnes", 10, 5000), ("hectares", 5, 3000), ("households", 20, 4000), ("million yuan", 1, 900)]
FRAMES = [
    "Farmers in {village} Village, {place} Province, harvested {n} {unit} of {good} in {year}.",
    "Output of {good} in {place} rose {pct} percent to {n} {unit} last year, according to the county bureau.",
    "About {n} {unit} joined the {good} program in {village} since {year}.",
    "The {village} cooperative expects sales of {good} to reach {n} {unit} by {later}.",
    "Online orders for {good} from {place} grew by {pct} percent in the first half of {year}.",
    "Nearly {n} {unit} were added in {village} over the past {years} years.",
]
QUOTES = [
    '"We used to sell everything at the roadside, now buyers come to us," said {name}, {age}, {role}.',
    '"The new road cut our delivery time in half," {name}, {role}, told reporters.',
    '"Young people are coming back because there is work here," said {name}.',
]


def article(rng: random.Random, i: int) -> str:
    """One short news article with figures, named people and quotations; deterministic for a given rng state."""
    place, village, good = rng.choice(PLACES), rng.choice(VILLAGES), rng.choice(GOODS)
    lines = [f"title: {good.capitalize()} in {village} ({i})", f"published: 2025-{rng.randint(1, 12):02d}-15", ""]
    for _ in range(rng.randint(3, 7)):
        unit, low, high = rng.choice(UNITS)
        year = rng.randint(2018, 2025)
        lines.append(
            rng.choice(FRAMES).format(
                village=village,
                place=place,
                good=rng.choice(GOODS),
                n=f"{rng.randint(low, high):,}",
                unit=unit,
                year=year,
                later=year + rng.randint(1, 5),
                pct=rng.randint(2, 60),
                years=rng.randint(2, 10),
            )
        )
        if rng.random() < 0.5:
            name = f"{rng.choice(GIVEN)} {rng.choice(PERSONAL)}"
            lines.append(rng.choice(QUOTES).format(name=name, age=rng.randint(24, 70), role=rng.choice(ROLES)))
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, docs: int, seed: int) -> int:
    """Write `docs` articles; returns their total size in bytes."""
    rng = random.Random(seed)
    size = 0
    for i in range(docs):
        text = article(rng, i)
        (folder / f"article_{i:05d}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode())
    return size


def timed_run(source: Path, warehouse: Path, workers: int) -> tuple[float, int]:
    """Wall seconds and exit status of one `ruralpulse run`, its output discarded."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(RURALPULSE), "run", "--source", str(source), "--warehouse", str(warehouse), "--workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
    return elapsed, done.returncode


def last_run(warehouse: Path) -> dict:
    """The run history entry the latest run appended (kept beside the warehouse, also when nothing was published)."""
    log = warehouse.parent / f".{warehouse.name}.work" / "runs.jsonl"
    return json.loads(log.read_text().splitlines()[-1])


def mart_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = ["dim_document", "dim_entity", "fct_entity_mention", "fct_metric", "fct_quote"]
        return {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=2000, help="synthetic articles to generate")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ruralpulse-bench-") as tmp:
        source, warehouse = Path(tmp) / "articles", Path(tmp) / "wh" / "ruralpulse.duckdb"
        source.mkdir()
        size = write_corpus(source, a.docs, a.seed)
        print(f"corpus: {a.docs} articles, {size / 1e6:.2f} MB, seed {a.seed}, {a.workers} workers")
        # "in flow" is the flow's own time from the run history; the rest is starting the CLI and Prefect's API.
        header = ("run", "seconds", "in flow", "exit", "new", "changed", "unchanged", "removed")
        print("{:<10} {:>8} {:>8} {:>5} {:>6} {:>8} {:>10} {:>8}  outcome".format(*header))
        for label in ("first", "unchanged"):
            seconds, status = timed_run(source, warehouse, a.workers)
            run = last_run(warehouse)
            in_flow = (
                datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
            ).total_seconds()
            print(
                f"{label:<10} {seconds:8.1f} {in_flow:8.1f} {status:>5} {run['documents_new']:>6} "
                f"{run['documents_changed']:>8} "
                f"{run['documents_unchanged']:>10} {run['documents_removed']:>8}  {run['message']}"
            )
            if status != 0:
                return status
        counts = ", ".join(f"{table} {n}" for table, n in mart_counts(warehouse).items())
        print(f"warehouse: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
