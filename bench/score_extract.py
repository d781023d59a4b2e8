"""Score the pure extractor (no pipeline) against reference annotations, in the reference scorer's terms."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.extract import extract_document  # noqa: E402

HEADER_KEYS = ("title", "source", "url", "published")


def read_doc(path: Path) -> tuple[str, date | None]:
    """Body and published date of a .txt document with an optional header."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    published = None
    i = 0
    while i < len(lines) and ":" in lines[i] and lines[i].split(":", 1)[0].strip().lower() in HEADER_KEYS:
        key, val = lines[i].split(":", 1)
        if key.strip().lower() == "published":
            published = date.fromisoformat(val.strip()[:10])
        i += 1
    if i and i < len(lines) and not lines[i].strip():
        text = "\n".join(lines[i + 1 :])
    return text.strip(), published


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    here = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", required=True)
    ap.add_argument("--gold", required=True)
    ap.add_argument("--scorer", default=str(here.parent / "shared/eval/score.py"))
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    sc = load_scorer(Path(a.scorer))
    names = ["qualifier", "period", "is_projection", "metric_kind", "subject", "time", "equivalent_of",
             "age", "role", "affiliation", "speaker"]
    attrs = {n: sc.Attr() for n in names}
    totals = {k: sc.Tally() for k in ("metrics", "entities", "quotes", "attributed_quotes")}
    for gf in sorted(Path(a.gold).glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        body, published = read_doc(Path(a.docs) / gold["document"])
        ex = extract_document(body, published)
        names_by_key = {e.key: e.name for e in ex.entities}
        mp = []
        for m in ex.metrics:
            d = dict(vars(m))
            d["mention_text"] = body[m.char_start:m.char_end]
            eq = ex.metrics[m.equivalent_of] if m.equivalent_of is not None else None
            d["_equivalent_span"] = (eq.char_start, eq.char_end) if eq else None
            mp.append(d)
        mentioned = {mn.entity_key for mn in ex.mentions}
        ep = [{"canonical_name": e.name, "entity_type": e.entity_type, "age": e.age, "role": e.role,
               "affiliation": names_by_key.get(e.affiliation)} for e in ex.entities if e.key in mentioned]
        qp = [{"quote_text": body[q.char_start:q.char_end], "speaker_name": names_by_key.get(q.speaker_key)}
              for q in ex.quotes]
        misses: list[str] = []
        doc_t = {"metrics": sc.score_metrics(body, gold, mp, attrs, misses),
                 "entities": sc.score_entities(gold, ep, attrs, misses),
                 "attributed_quotes": sc.Tally()}
        doc_t["quotes"] = sc.score_quotes(gold, qp, attrs, doc_t["attributed_quotes"], misses)
        for k, v in doc_t.items():
            totals[k].add(v)
        if not a.quiet and misses:
            print(gold["document"])
            print("\n".join(misses))
    print("TOTAL")
    for k, v in totals.items():
        print(f"  {k:<17} {v.cells()}")
    for n in names:
        if attrs[n].total:
            print(f"  {n + ' accuracy':<24} {attrs[n].right}/{attrs[n].total} = {attrs[n].acc:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
