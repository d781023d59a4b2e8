"""Snapshot every extractor output over corpora, or compare against a snapshot: a refactor must not change results."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.extract import extract_document  # noqa: E402
from flows.ingest import SourceDocument, read_source  # noqa: E402

HERE = Path(__file__).resolve().parents[1]
DEFAULT_SOURCES = [
    HERE / "seeds",
    HERE / "tests/articles/docs",
    HERE.parent / "shared/eval/dev/articles/docs",
    HERE.parent / "shared/eval/dev/newsquant/docs",
]


def variants(body: str) -> dict[str, str]:
    """The body as written plus the perturbations real feeds produce (collapsed paragraphs, single newlines)."""
    return {
        "asis": body,
        "collapsed": " ".join(body.split()),
        "single_newlines": body.replace("\n\n", "\n"),
    }


def snapshot(sources: list[Path], parts: set[str]) -> dict[str, dict]:
    """Extraction output per document and variant, as plain JSON-able values."""
    out: dict[str, dict] = {}
    for src in sources:
        if not src.exists():
            print(f"skipping missing source {src}", file=sys.stderr)
            continue
        for doc in read_source(src):
            if not isinstance(doc, SourceDocument):
                continue
            for name, body in variants(doc.body).items():
                result = extract_document(body, doc.published_date)
                record = {
                    part: [dataclasses.asdict(x) for x in getattr(result, part)]
                    for part in ("entities", "mentions", "metrics", "quotes")
                    if part in parts or (part == "mentions" and "entities" in parts)
                }
                out[f"{src.name}/{doc.source_path}#{name}"] = record
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", nargs="+", type=Path, default=DEFAULT_SOURCES)
    ap.add_argument("--parts", nargs="+", default=["entities", "metrics", "quotes"])
    ap.add_argument("--write", type=Path, help="write the snapshot here (keep it outside the repo)")
    ap.add_argument("--compare", type=Path, help="compare against this snapshot and list the differences")
    ap.add_argument("--show", type=int, default=20, help="differences to print")
    a = ap.parse_args()
    snap = json.loads(json.dumps(snapshot(a.source, set(a.parts)), default=str))
    if a.write:
        a.write.write_text(json.dumps(snap, indent=0, sort_keys=True))
        print(f"wrote {len(snap)} document variants to {a.write}")
    if a.compare:
        old = json.loads(a.compare.read_text())
        diffs = 0
        for key in sorted(set(old) | set(snap)):
            before, after = old.get(key, {}), snap.get(key, {})
            for part in sorted(set(before) | set(after)):
                if before.get(part) != after.get(part):
                    diffs += 1
                    if diffs <= a.show:
                        b, c = before.get(part) or [], after.get(part) or []
                        gone = [x for x in b if x not in c][:3]
                        new = [x for x in c if x not in b][:3]
                        print(f"DIFF {key} {part}: -{gone} +{new}")
        print(f"{diffs} differing (document variant, part) pairs over {len(snap)} document variants")
        return 1 if diffs else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
