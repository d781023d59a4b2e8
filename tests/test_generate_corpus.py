"""The benchmark corpus generator: deterministic, every format, and figure density like real news."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate_corpus import write_corpus
from flows.extract import extract_document
from flows.ingest import SourceDocument, read_source


def figures_per_kb(root: Path) -> tuple[float, int]:
    """Figures the extractor finds per KB of body text, and the number of documents read."""
    chars = figures = docs = 0
    for item in read_source(root):
        assert isinstance(item, SourceDocument), item
        chars += len(item.body)
        figures += len(extract_document(item.body, item.published_date).metrics)
        docs += 1
    return figures / (chars / 1000), docs


def file_bytes(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 120, seed=3)
    write_corpus(tmp_path / "b", 120, seed=3)
    a = file_bytes(tmp_path / "a")
    assert a == file_bytes(tmp_path / "b")
    assert {p.suffix for p in a} == {".txt", ".md", ".html", ".jsonl"}


@pytest.mark.parametrize(("dense", "low", "high"), [(False, 2.5, 4.5), (True, 10.0, 20.0)])
def test_figure_density(tmp_path: Path, dense: bool, low: float, high: float) -> None:
    # Real news measured 1.9 (sample article) to 3.3 (dev articles) figures per KB; --dense is the stress case.
    write_corpus(tmp_path, 150, seed=11, dense=dense)
    density, docs = figures_per_kb(tmp_path)
    assert docs == 150
    assert low <= density <= high
