"""Extraction throughput per core (MB/s and documents/s) on a corpus folder; CPU time, one process."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.extract.entities import extract_entities  # noqa: E402
from flows.extract.metrics import extract_metrics  # noqa: E402
from flows.extract.quotes import extract_quotes  # noqa: E402
from flows.ingest import SourceDocument, read_source  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", nargs="+", default=["seeds", "tests/articles/docs"])
    ap.add_argument("--repeat", type=int, default=50, help="passes over the corpus")
    a = ap.parse_args()
    docs = [d for src in a.source for d in read_source(Path(src)) if isinstance(d, SourceDocument)]
    size = sum(len(d.body.encode()) for d in docs) * a.repeat
    extract_entities("Warm up Beijing.")
    timings = {"entities": 0.0, "quotes": 0.0, "metrics": 0.0}
    for _ in range(a.repeat):
        for d in docs:
            t0 = time.process_time()
            ents, ments = extract_entities(d.body)
            t1 = time.process_time()
            extract_quotes(d.body, ents, ments)
            t2 = time.process_time()
            extract_metrics(d.body, d.published_date)
            t3 = time.process_time()
            timings["entities"] += t1 - t0
            timings["quotes"] += t2 - t1
            timings["metrics"] += t3 - t2
    total = sum(timings.values())
    n = len(docs) * a.repeat
    print(f"corpus: {len(docs)} documents x {a.repeat} = {size / 1e6:.1f} MB")
    for part, secs in timings.items():
        print(f"  {part:<9} {secs:6.2f} s cpu  {size / 1e6 / secs:7.2f} MB/s")
    print(f"  {'total':<9} {total:6.2f} s cpu  {size / 1e6 / total:7.2f} MB/s  {n / total:8.0f} documents/s per core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
