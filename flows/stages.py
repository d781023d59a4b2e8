"""The steps of a run as plain functions; flows/pipeline.py wraps them as Prefect tasks."""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.batches import DOCUMENT_SCHEMA, BatchResult, extract_batch_file
from flows.ingest import ParseResult, Rejection, SourceDocument, SourceFile, list_source_files, parse_file
from flows.warehouse import KnownDocument, RunChanges

CURRENT_SCHEMA = pa.schema([("source_path", pa.string()), ("content_sha256", pa.string())])
REJECTION_SCHEMA = pa.schema([("source_path", pa.string()), ("line", pa.int32()), ("reason", pa.string())])
FILE_SCHEMA = pa.schema([("rel_path", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64())])
ROW_GROUP = 512
# Below this many files a process pool costs more than it saves; files go to workers this many at a time.
PARALLEL_PARSE_MIN_FILES = 200
PARSE_CHUNK = 64


@dataclass
class IngestPlan:
    """What the source holds now compared with the published warehouse, and the batches to extract."""

    current_documents: Path
    rejections: Path
    source_files: Path
    batches: list[Path]
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    reprocessed: int = 0
    removed: int = 0
    rejected: int = 0
    rejection_reasons: list[str] = field(default_factory=list)
    rejections_changed: bool = True

    @property
    def to_extract(self) -> int:
        return self.new + self.changed + self.reprocessed

    @property
    def has_changes(self) -> bool:
        return bool(self.to_extract or self.removed or self.rejections_changed)


class BatchWriter:
    """Spreads documents over a fixed number of Parquet batch files, streaming row groups to bound memory."""

    def __init__(self, folder: Path, batches: int):
        self.folder = folder
        self.paths = [folder / f"batch-{i:03d}.parquet" for i in range(batches)]
        self.writers: dict[int, pq.ParquetWriter] = {}
        self.pending: dict[int, list[dict]] = {i: [] for i in range(batches)}
        self.count = 0

    def add(self, doc: SourceDocument) -> None:
        slot = self.count % len(self.paths)
        self.count += 1
        self.pending[slot].append(
            {
                "source_path": doc.source_path,
                "title": doc.title,
                "publisher": doc.publisher,
                "url": doc.url,
                "published_date": doc.published_date,
                "body": doc.body,
                "content_sha256": doc.content_sha256,
            }
        )
        if len(self.pending[slot]) >= ROW_GROUP:
            self._flush(slot)

    def _flush(self, slot: int) -> None:
        if not self.pending[slot]:
            return
        if slot not in self.writers:
            self.writers[slot] = pq.ParquetWriter(self.paths[slot], DOCUMENT_SCHEMA)
        self.writers[slot].write_table(pa.Table.from_pylist(self.pending[slot], schema=DOCUMENT_SCHEMA))
        self.pending[slot] = []

    def close(self) -> list[Path]:
        """Finish every file; returns the batches that hold at least one document."""
        for slot in self.pending:
            self._flush(slot)
        for writer in self.writers.values():
            writer.close()
        return [self.paths[slot] for slot in sorted(self.writers)]


def ingest_source(
    source: Path,
    scratch: Path,
    known: dict[str, KnownDocument],
    *,
    known_files: dict[str, tuple[int, int]] | None = None,
    known_rejections: set[tuple[str, int | None, str]] | None = None,
    extractor_version: str,
    full_refresh: bool,
    batches: int,
    max_bytes: int,
    workers: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
    files: list[SourceFile] | None = None,
) -> IngestPlan:
    """Read every document under source, compare it with what is published, and batch what must be extracted.

    files: the source's listing when the caller already made it (list_source_files), else it is made here."""
    scratch.mkdir(parents=True, exist_ok=True)
    if files is None:
        files = list_source_files(source)
    writer = BatchWriter(scratch, max(1, batches))
    current: list[dict] = []
    rejections: list[dict] = []
    clean_files: list[dict] = []
    plan = IngestPlan(scratch / "current.parquet", scratch / "rejections.parquet", scratch / "files.parquet", [])
    known_files = known_files or {}
    documents_of_file: dict[str, list[str]] = {}
    for path in known:
        documents_of_file.setdefault(path.split("#", 1)[0], []).append(path)
    to_read = []
    for file in files:
        fingerprint = (file.size, file.mtime_ns)
        if not full_refresh and known_files.get(file.rel_path) == fingerprint:
            # Same size and mtime as a file loaded cleanly before: trust the published rows instead of re-reading.
            paths = documents_of_file.get(file.rel_path, [])
            if all(known[p].extractor_version == extractor_version for p in paths):
                current.extend({"source_path": p, "content_sha256": known[p].content_sha256} for p in paths)
                clean_files.append({"rel_path": file.rel_path, "size": file.size, "mtime_ns": file.mtime_ns})
                plan.unchanged += len(paths)
                continue
        to_read.append(file)
    parsed = parse_files(to_read, source, max_bytes, workers)
    for done, (file, items) in enumerate(zip(to_read, parsed, strict=True), 1):
        file_rejected = False
        for item in items:
            if isinstance(item, Rejection):
                file_rejected = True
                rejections.append({"source_path": item.source_path, "line": item.line, "reason": item.reason})
                continue
            current.append({"source_path": item.source_path, "content_sha256": item.content_sha256})
            before = known.get(item.source_path)
            if before is None:
                plan.new += 1
            elif before.content_sha256 != item.content_sha256:
                plan.changed += 1
            elif full_refresh or before.extractor_version != extractor_version:
                plan.reprocessed += 1
            else:
                plan.unchanged += 1
                continue
            writer.add(item)
        if not file_rejected:
            clean_files.append({"rel_path": file.rel_path, "size": file.size, "mtime_ns": file.mtime_ns})
        if on_progress:
            on_progress(done, len(to_read))
    plan.batches = writer.close()
    pq.write_table(pa.Table.from_pylist(current, schema=CURRENT_SCHEMA), plan.current_documents)
    pq.write_table(pa.Table.from_pylist(rejections, schema=REJECTION_SCHEMA), plan.rejections)
    pq.write_table(pa.Table.from_pylist(clean_files, schema=FILE_SCHEMA), plan.source_files)
    if known_rejections is not None:
        plan.rejections_changed = {(r["source_path"], r["line"], r["reason"]) for r in rejections} != known_rejections
    plan.removed = len(set(known) - {row["source_path"] for row in current})
    plan.rejected = len(rejections)
    plan.rejection_reasons = [f"{r['source_path']}: {r['reason']}" for r in rejections]
    return plan


def parse_files(files: list[SourceFile], root: Path, max_bytes: int, workers: int) -> Iterator[list[ParseResult]]:
    """Each file's documents and rejections, in file order; many files are parsed in worker processes."""
    if workers <= 1 or len(files) < PARALLEL_PARSE_MIN_FILES:
        yield from (parse_file(f, root=root, max_bytes=max_bytes) for f in files)
        return
    # Parsing (HTML above all) costs as much as a fifth of extraction; one process would leave a core idle.
    with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(partial(parse_file, root=root, max_bytes=max_bytes), files, chunksize=PARSE_CHUNK)


def extract_batches_locally(batches: list[Path], workers: int) -> Iterator[BatchResult]:
    """Extract batch files in worker processes so every core works; yields each result as it completes."""
    if workers <= 1 or len(batches) <= 1:
        yield from map(extract_batch_file, batches)
        return
    size = min(workers, len(batches))
    with ProcessPoolExecutor(max_workers=size, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(extract_batch_file, batch) for batch in batches]
        for future in as_completed(futures):
            yield future.result()


def die_with_parent(parent: int) -> None:
    """Worker initializer: be killed with the run, so a killed run leaves no extraction workers behind."""
    # Orphaned pool workers otherwise wait on their task queue forever (every worker holds its write end open),
    # and the ones still extracting keep writing into a scratch folder the next run is removing.
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no parent-death signal, the old behaviour stays
        return
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        os._exit(1)  # the run died before the signal was armed


def run_changes(plan: IngestPlan, results: list[BatchResult]) -> RunChanges:
    """The build's input: the plan's files and every extraction output file, in batch order."""
    ordered = sorted(results, key=lambda r: r.batch.name)
    kinds = tuple(ordered[0].outputs) if ordered else ()  # every kind the workers write (flows/batches.py)
    return RunChanges(
        current_documents=plan.current_documents,
        source_files=plan.source_files,
        rejections=plan.rejections,
        batches=[r.batch for r in ordered],
        outputs={kind: [r.outputs[kind] for r in ordered] for kind in kinds},
    )
