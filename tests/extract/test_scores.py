"""Extraction quality on our own annotated articles, scored by the reference scorer, must not regress."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
# The targets for unseen articles; our own articles must meet them.
TARGETS = {"metrics": 0.95, "entities": 0.92, "quotes": 0.95, "attributed_quotes": 0.90}


def score(gold_files: list[Path], tmp: Path) -> dict[str, float]:
    """F1 per part under the reference scorer's rules, over the given annotation files."""
    if not SCORER.exists():
        pytest.fail(f"reference scorer missing: {SCORER}")
    gold = tmp / "gold"
    gold.mkdir()
    for f in gold_files:
        (gold / f.name).symlink_to(f)
    harness = ROOT / "bench" / "score_extract.py"
    docs = ROOT / "tests/articles/docs"
    out = subprocess.run(
        [sys.executable, str(harness), "--docs", str(docs), "--gold", str(gold), "--scorer", str(SCORER), "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    f1 = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in TARGETS and "F1=" in line:
            f1[parts[0]] = float(line.rsplit("F1=", 1)[1])
    return f1


@pytest.fixture(scope="module")
def totals(tmp_path_factory) -> dict[str, float]:
    gold = sorted((ROOT / "tests/articles/gold").glob("*.json"))
    # metrics_* articles annotate figures only, so entities and quotations are scored on the entities_* ones.
    figures = score(gold, tmp_path_factory.mktemp("all"))
    people = score([g for g in gold if g.name.startswith("entities_")], tmp_path_factory.mktemp("entities"))
    return {"metrics": figures["metrics"], **{k: v for k, v in people.items() if k != "metrics"}}


@pytest.mark.parametrize("part", sorted(TARGETS))
def test_own_articles_meet_the_target(totals, part):
    assert totals[part] >= TARGETS[part], f"{part} F1 {totals[part]} < {TARGETS[part]}"


def test_there_are_at_least_ten_annotated_articles():
    docs = sorted((ROOT / "tests/articles/docs").glob("*.txt"))
    gold = {p.stem for p in (ROOT / "tests/articles/gold").glob("*.json")}
    assert len(docs) >= 10
    assert {d.stem for d in docs} == gold
