"""End-to-end scale benchmark: full run, unchanged rerun and +100 new articles, with peak memory of the process tree.

    python bench/bench_scale.py --docs 10000 50000 100000 [--work /tmp/ruralpulse-bench] [--dense]

Generates each corpus with bench/generate_corpus.py (deterministic), runs `ruralpulse run` as a subprocess,
samples the summed RSS of the run and all its children every 0.2 s, and prints one table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate_corpus import write_corpus  # noqa: E402


def tree_rss(proc: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def timed_run(source: Path, warehouse: Path, env: dict, log: Path) -> tuple[float, int, str]:
    """Wall seconds, peak tree RSS and the summary lines of one `ruralpulse run`; its whole output goes to log."""
    cmd = [str(ROOT / ".venv/bin/ruralpulse"), "run", "--source", str(source), "--warehouse", str(warehouse)]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    watched = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, tree_rss(watched))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    wall = time.monotonic() - start
    log.write_text(out)
    if proc.returncode != 0:
        raise SystemExit(f"run failed ({proc.returncode}):\n{out[-3000:]}")
    summary = [line for line in out.splitlines() if line.startswith("  ")]
    return wall, peak, " | ".join(s.strip() for s in summary[1:3])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[10000, 50000, 100000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/ruralpulse-bench"))
    ap.add_argument("--dense", action="store_true", help="the figure-dense stress corpus (generate_corpus --dense)")
    a = ap.parse_args()
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    rows = []
    for n in a.docs:
        label = f"{n}-dense" if a.dense else f"{n}"
        corpus = a.work / f"corpus-{label}"
        if not corpus.exists():
            write_corpus(corpus, n, seed=7, dense=a.dense)
        mb = sum(f.stat().st_size for f in corpus.rglob("*") if f.is_file()) / 1e6
        wh_dir = a.work / f"warehouse-{label}"
        shutil.rmtree(wh_dir, ignore_errors=True)
        warehouse = wh_dir / "ruralpulse.duckdb"
        full = timed_run(corpus, warehouse, env, a.work / f"log-{label}-full.txt")
        rerun = timed_run(corpus, warehouse, env, a.work / f"log-{label}-rerun.txt")
        extra = corpus / "zz-added"
        shutil.rmtree(extra, ignore_errors=True)
        write_corpus(extra, 100, seed=n, dense=a.dense)
        added = timed_run(corpus, warehouse, env, a.work / f"log-{label}-added.txt")
        shutil.rmtree(extra)
        rows.append((n, mb, full, rerun, added, warehouse.stat().st_size / 1e6))
        print(f"{n} docs done", flush=True)
    print()
    print("| documents | corpus MB | full run s | peak MB | rerun unchanged s | +100 new s | warehouse MB |")
    print("|---|---|---|---|---|---|---|")
    for n, mb, full, rerun, added, size in rows:
        cells = [f"{n:,}", f"{mb:.0f}", f"{full[0]:.1f}", f"{full[1] / 1e6:.0f}", f"{rerun[0]:.1f}", f"{added[0]:.1f}"]
        print("| " + " | ".join([*cells, f"{size:.0f}"]) + " |")
    for n, _, full, rerun, added, _ in rows:
        print(f"{n}: full: {full[2]}\n       rerun: {rerun[2]}\n       +100: {added[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
