"""Extraction throughput per core, in MB/s and documents/s, on the same documents: CPU time of one process.

Always our extractor (entities, quotations, figures, total); with --compare also quantulum3 (`parser.parse`,
figures) and spaCy (entities, a pipeline built in code), each in a fresh process. Every row warms up once
before it is timed; the warm-up (import, pipeline construction, first call) is reported as `load s`.

The comparison libraries live in the uv dependency group `bench`, which `make` never installs. Give them an
environment of their own, so that the project's .venv stays exactly what `make` syncs:

    UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/tmp/ruralpulse-bench \\
        .venv/bin/uv run --frozen --group bench python bench/bench_extract.py --compare
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from flows.ingest import SourceDocument, read_source  # noqa: E402

# Real news text: the sample article, our annotated articles, and the shared dev articles when present
# (read in place, never copied into the repository).
DEFAULT_SOURCES = [HERE / "seeds", HERE / "tests/articles/docs", HERE.parent / "shared/eval/dev/articles/docs"]
COMPARE_COMMAND = (
    "UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/tmp/ruralpulse-bench "
    ".venv/bin/uv run --frozen --group bench python bench/bench_extract.py --compare"
)
# import name -> distribution name, for the `bench` dependency group
BENCH_MODULES = {"quantulum3": "quantulum3", "sklearn": "scikit-learn", "stemming": "stemming", "spacy": "spacy"}
EN_CORE_WEB_SM_MBS = 0.02  # measured on this machine earlier (project brief); not installable from PyPI


@dataclass
class Row:
    name: str
    passes: list[float]  # CPU seconds of each pass over the corpus
    found: int  # items found in one pass over the corpus
    load: float | None  # CPU seconds of import + construction + first call, before timing
    what: str = ""  # what `found` counts


def measure_ours(bodies: list[str], dates: list, repeat: int) -> list[Row]:
    t0 = time.process_time()
    from flows.extract.entities import extract_entities
    from flows.extract.metrics import extract_metrics
    from flows.extract.quotes import extract_quotes

    ents, ments = extract_entities(bodies[0])
    extract_quotes(bodies[0], ents, ments)
    extract_metrics(bodies[0], dates[0])
    load = time.process_time() - t0

    cpu: dict[str, list[float]] = {"entities": [], "quotations": [], "figures": []}
    found = dict.fromkeys(cpu, 0)
    for i in range(repeat):
        for part in cpu.values():
            part.append(0.0)
        for body, published in zip(bodies, dates, strict=True):
            t0 = time.process_time()
            ents, ments = extract_entities(body)
            t1 = time.process_time()
            quotes = extract_quotes(body, ents, ments)
            t2 = time.process_time()
            metrics = extract_metrics(body, published)
            t3 = time.process_time()
            cpu["entities"][i] += t1 - t0
            cpu["quotations"][i] += t2 - t1
            cpu["figures"][i] += t3 - t2
            if i == 0:
                found["entities"] += len(ments)
                found["quotations"] += len(quotes)
                found["figures"] += len(metrics)
    what = {"entities": "mentions", "quotations": "quotations", "figures": "figures"}
    rows = [Row(f"ruralpulse {part}", cpu[part], found[part], None, what[part]) for part in cpu]
    total = [sum(part[i] for part in cpu.values()) for i in range(repeat)]
    rows.append(Row("ruralpulse total", total, sum(found.values()), load, "rows"))
    return rows


def _timed(fn: Callable[[str], int], bodies: list[str], repeat: int) -> tuple[list[float], int]:
    """CPU seconds of each of `repeat` passes of fn over bodies, and what one pass found."""
    found = 0
    passes = []
    for i in range(repeat):
        t0 = time.process_time()
        for body in bodies:
            n = fn(body)
            if i == 0:
                found += n
        passes.append(time.process_time() - t0)
    return passes, found


def measure_quantulum(bodies: list[str], repeat: int, use_classifier: bool) -> Row:
    """quantulum3's parser.parse; without the classifier exactly as when scikit-learn is not installed."""
    t0 = time.process_time()
    if not use_classifier:
        sys.modules["sklearn"] = None  # type: ignore[assignment]  # import fails: quantulum3 falls back
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Classifier dependencies not installed" in the fallback mode
        from quantulum3 import classifier, parser

        if use_classifier != classifier.USE_CLF:
            raise RuntimeError(f"quantulum3 classifier mode is {classifier.USE_CLF}, wanted {use_classifier}")
        parser.parse(bodies[0])  # loads the unit and entity tables and, with the classifier, its model
        if use_classifier and not classifier.classifier().loaded:
            raise RuntimeError("quantulum3 did not load its bundled classifier model")
        load = time.process_time() - t0
        cpu, found = _timed(lambda body: len(parser.parse(body)), bodies, repeat)
    if use_classifier:
        mode = f"classifier: scikit-learn {version('scikit-learn')} + bundled clf.joblib"
    else:
        mode = "no classifier: heuristic unit disambiguation"
    return Row(f"quantulum3 {version('quantulum3')} parse ({mode})", cpu, found, load, "quantities")


def build_spacy(ruler: bool):
    """spacy.blank("en") (tokenizer only), or with an entity_ruler over our own gazetteer (see the output)."""
    import spacy

    nlp = spacy.blank("en")
    if not ruler:
        return nlp, "spacy.blank('en'): tokenizer only, no entities"
    from flows.extract import gazetteer as g

    places, orgs = sorted(g.place_names()), sorted(g.known_orgs())
    surnames = sorted(g.chinese_surnames() | g.korean_surnames())
    title = {"IS_TITLE": True}
    patterns = [{"label": "GPE", "pattern": name} for name in places]
    patterns += [{"label": "ORG", "pattern": name} for name in orgs]
    patterns += [
        {"label": "ORG", "pattern": [{**title, "OP": "+"}, {"ORTH": {"IN": sorted(g.org_suffixes())}}]},
        {"label": "PERSON", "pattern": [{"ORTH": {"IN": sorted(g.given_names())}}, {**title, "OP": "+"}]},
        {"label": "PERSON", "pattern": [{"ORTH": {"IN": surnames}}, title]},
    ]
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH", "validate": False}).add_patterns(patterns)
    return nlp, (
        f"spacy.blank('en') + entity_ruler: {len(places)} place phrases -> GPE, {len(orgs)} organization phrases"
        " -> ORG (flows/extract/gazetteer.py), token patterns: title-case run + org suffix -> ORG,"
        " given name + title-case run -> PERSON, Chinese/Korean surname + title-case word -> PERSON"
    )


def measure_spacy(bodies: list[str], repeat: int, ruler: bool) -> tuple[Row, str]:
    t0 = time.process_time()
    nlp, pipeline = build_spacy(ruler)
    nlp(bodies[0])
    load = time.process_time() - t0
    found = 0
    cpu = []
    for i in range(repeat):
        t0 = time.process_time()
        docs = list(nlp.pipe(bodies))
        cpu.append(time.process_time() - t0)
        if i == 0:
            found = sum(len(doc.ents) if ruler else len(doc) for doc in docs)
    what = "blank('en') + entity_ruler (gazetteer)" if ruler else "blank('en') tokenizer only"
    name = f"spaCy {version('spacy')} {what}"
    return Row(name, cpu, found, load, "entities" if ruler else "tokens"), pipeline


def in_fresh_process(fn, *args):
    """Run fn in a new interpreter, so that its load time includes every import it needs and nothing else."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def missing_bench_modules() -> list[str]:
    return [dist for mod, dist in BENCH_MODULES.items() if importlib.util.find_spec(mod) is None]


def print_table(rows: list[Row], size: int, n_docs: int) -> None:
    width = max(len(r.name) for r in rows)
    print(
        f"  {'extractor':<{width}}  {'passes':>6}  {'cpu s':>7}  {'MB/s':>7}  {'docs/s':>8}  {'spread':>6}"
        f"  {'load s':>6}  found"
    )
    for r in rows:
        median = statistics.median(r.passes)
        spread = (max(r.passes) - min(r.passes)) / median
        load = f"{r.load:6.2f}" if r.load is not None else f"{'':6}"
        print(
            f"  {r.name:<{width}}  {len(r.passes):6d}  {sum(r.passes):7.2f}  {size / 1e6 / median:7.3f}"
            f"  {n_docs / median:8.1f}  {spread:6.0%}  {load}  {r.found} {r.what}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", nargs="+", type=Path, default=DEFAULT_SOURCES, help="folders of documents")
    ap.add_argument("--repeat", type=int, default=50, help="passes over the corpus for our extractor and spaCy")
    ap.add_argument("--compare", action="store_true", help="also quantulum3 and spaCy (uv group `bench`)")
    ap.add_argument(
        "--quantulum-repeat", type=int, default=3, help="passes for quantulum3, 50x slower than our extractor"
    )
    a = ap.parse_args()
    if a.compare and (missing := missing_bench_modules()):
        print(
            f"--compare needs the uv dependency group `bench` (missing: {', '.join(missing)}).\n"
            f"Run it in an environment of its own (leaves .venv as `make` made it), from the project folder:\n"
            f"    {COMPARE_COMMAND}",
            file=sys.stderr,
        )
        return 1
    sources = [src for src in a.source if src.exists() or src not in DEFAULT_SOURCES]
    docs = [d for src in sources for d in read_source(src) if isinstance(d, SourceDocument)]
    if not docs:
        print("no documents in " + ", ".join(map(str, sources)), file=sys.stderr)
        return 2
    bodies = [d.body for d in docs]
    size = sum(len(b.encode()) for b in bodies)
    print(f"corpus: {len(docs)} documents, {size / 1e3:.1f} kB of body text, from")
    for src in sources:
        print(f"  {src}")
    for src in sorted(set(a.source) - set(sources)):
        print(f"  ({src}: not present, skipped)")
    print("CPU time (time.process_time) of one process, i.e. per core. MB/s and docs/s: the median pass;")
    print("cpu s: all passes; spread: (slowest - fastest pass) / median; load s: import + build + first call,")
    print("excluded from the timing; found: what one pass over the corpus finds (counts are not comparable)")
    print()

    rows = measure_ours(bodies, [d.published_date for d in docs], a.repeat)
    if not a.compare:
        print_table(rows, size, len(docs))
        return 0

    pipelines = []
    more = [
        in_fresh_process(measure_quantulum, bodies, a.quantulum_repeat, True),
        in_fresh_process(measure_quantulum, bodies, a.quantulum_repeat, False),
    ]
    for ruler in (False, True):
        row, pipeline = in_fresh_process(measure_spacy, bodies, a.repeat, ruler)
        more.append(row)
        pipelines.append(pipeline)
    print_table(rows + more, size, len(docs))
    print()
    print("spaCy pipelines measured:")
    for p in pipelines:
        print(f"  {p}")
    print(
        f"spaCy en_core_web_sm (tok2vec, tagger, parser, ner): {EN_CORE_WEB_SM_MBS} MB/s, measured earlier on this"
        " machine (project brief); not measured here: it is published on GitHub releases, not on PyPI"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
