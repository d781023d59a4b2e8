"""A run's summary and the "already current" decision, without Prefect.

The flow (flows/pipeline.py) and the command line both use this module: the CLI answers a rerun on an unchanged
source with `already_current` before Prefect is imported or a Prefect server started, and the flow reaches the same
answer through the same functions (`read_published_state`, `plan_ingest`, `is_current`, `set_already_current`).
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flows.catalog import build_input_files
from flows.ingest import SourceFile, list_source_files
from flows.sqlmodels import Model, models_version
from flows.stages import IngestPlan, ingest_source
from flows.topics import EXTRACTOR_VERSION  # extractor + taxonomy: a taxonomy edit re-tags
from flows.warehouse import (
    KnownDocument,
    RunLock,
    WarehouseLayout,
    append_run_log,
    is_compatible,
    published_counts,
    read_known_documents,
    read_known_files,
    read_known_rejections,
    read_meta,
    remove_leftovers,
)

ALREADY_CURRENT = "already current: nothing changed since the last published run"


@dataclass
class RunSummary:
    """What a run did, for the terminal, the run history and the Prefect artifact."""

    run_id: str
    source: str
    warehouse: str
    started_at: datetime
    finished_at: datetime | None = None
    documents_new: int = 0
    documents_changed: int = 0
    documents_unchanged: int = 0
    documents_reprocessed: int = 0
    documents_removed: int = 0
    documents_rejected: int = 0
    documents: int = 0
    entities: int = 0
    mentions: int = 0
    metrics: int = 0
    quotes: int = 0
    validation: str = "not run"
    published: bool = False
    message: str = ""
    failed_expectations: list[str] = field(default_factory=list)
    extraction_pids: list[int] = field(default_factory=list)  # processes that extracted batches
    data_docs: str = ""

    def take_plan(self, plan: IngestPlan) -> None:
        """Take the ingest counts from the plan."""
        self.documents_new, self.documents_changed = plan.new, plan.changed
        self.documents_unchanged, self.documents_reprocessed = plan.unchanged, plan.reprocessed
        self.documents_removed, self.documents_rejected = plan.removed, plan.rejected

    def set_counts(self, counts: dict[str, int]) -> None:
        """Take the warehouse totals from mart row counts."""
        self.documents = counts.get("dim_document", 0)
        self.entities = counts.get("dim_entity", 0)
        self.mentions = counts.get("fct_entity_mention", 0)
        self.metrics = counts.get("fct_metric", 0)
        self.quotes = counts.get("fct_quote", 0)
        # Ingest counts unreadable files and lines; the mart adds duplicates found in SQL. Report what analysts see.
        self.documents_rejected = counts.get("rejected_documents", self.documents_rejected)

    def set_already_current(self, published_marts: dict[str, int]) -> None:
        """Finish a run whose result is the published warehouse as it is: nothing built, validated or published."""
        self.set_counts(published_marts)
        self.validation, self.published = "unchanged", True
        self.message = ALREADY_CURRENT
        self.finished_at = datetime.now()

    def described(self, text: str) -> str:
        """An artifact description: text, and where this run's Data Docs are."""
        return f"{text}; data docs: {self.data_docs}" if self.data_docs else text

    def history_row(self) -> dict:
        """The summary as a row of ops.runs."""
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "source": self.source,
            "published": self.published,
            "validation_success": {"passed": True, "failed": False}.get(self.validation),
            "documents_new": self.documents_new,
            "documents_changed": self.documents_changed,
            "documents_unchanged": self.documents_unchanged,
            "documents_removed": self.documents_removed,
            "documents_rejected": self.documents_rejected,
            "message": self.message,
        }

    def table(self) -> list[dict]:
        """The summary as rows of stage, measure and count for a table artifact."""
        return [
            {"stage": "ingest", "measure": "documents new", "count": self.documents_new},
            {"stage": "ingest", "measure": "documents changed", "count": self.documents_changed},
            {"stage": "ingest", "measure": "documents unchanged", "count": self.documents_unchanged},
            {"stage": "ingest", "measure": "documents re-extracted", "count": self.documents_reprocessed},
            {"stage": "ingest", "measure": "documents removed", "count": self.documents_removed},
            {"stage": "ingest", "measure": "documents rejected", "count": self.documents_rejected},
            {"stage": "warehouse", "measure": "documents", "count": self.documents},
            {"stage": "warehouse", "measure": "entities", "count": self.entities},
            {"stage": "warehouse", "measure": "entity mentions", "count": self.mentions},
            {"stage": "warehouse", "measure": "figures", "count": self.metrics},
            {"stage": "warehouse", "measure": "quotations", "count": self.quotes},
        ]


def new_run_id(started: datetime) -> str:
    return f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def build_inputs_version(models: list[Model], expectations: Path, extractor_version: str = EXTRACTOR_VERSION) -> str:
    """Fingerprint of everything besides the documents that shapes a build: SQL, expectations, extractor."""
    digest = hashlib.sha256(f"{models_version(models)}|{extractor_version}".encode())
    for path in build_input_files(models):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for suite in sorted(expectations.glob("*.json")):
        digest.update(suite.name.encode() + b"\0" + suite.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class PublishedState:
    """What ingest compares the source with: the published documents, clean files and rejections."""

    compatible: bool
    known: dict[str, KnownDocument]
    known_files: dict[str, tuple[int, int]]
    known_rejections: set[tuple[str, int | None, str]] | None


def read_published_state(published: Path, models: list[Model], meta: dict[str, str] | None = None) -> PublishedState:
    """The published warehouse's state, or an empty one when its layout is not the one the code writes."""
    if not is_compatible(read_meta(published) if meta is None else meta, models):
        return PublishedState(False, {}, {}, None)
    return PublishedState(
        True, read_known_documents(published), read_known_files(published), read_known_rejections(published)
    )


def plan_ingest(
    source: Path,
    scratch: Path,
    state: PublishedState,
    *,
    full_refresh: bool,
    batches: int,
    max_bytes: int,
    workers: int,
    extractor_version: str = EXTRACTOR_VERSION,
    files: list[SourceFile] | None = None,
) -> IngestPlan:
    """The flow's ingest decision: the source compared with the published state (everything anew if incompatible)."""
    return ingest_source(
        source,
        scratch,
        state.known,
        known_files=state.known_files,
        known_rejections=state.known_rejections,
        extractor_version=extractor_version,
        full_refresh=full_refresh or not state.compatible,
        batches=batches,
        max_bytes=max_bytes,
        workers=workers,
        files=files,
    )


def is_current(plan: IngestPlan, meta: dict[str, str], build_inputs: str) -> bool:
    """Same documents, same code, same expectations: the published file is already this run's result."""
    return not plan.has_changes and meta.get("build_inputs") == build_inputs


def only_known_files(files: list[SourceFile], known_files: dict[str, tuple[int, int]]) -> bool:
    """Whether every source file has the size and mtime of a file the published warehouse loaded cleanly."""
    return all(known_files.get(f.rel_path) == (f.size, f.mtime_ns) for f in files)


def already_current(
    source: str | Path,
    layout: WarehouseLayout,
    models: list[Model],
    expectations_dir: Path,
    *,
    batches: int = 8,
    max_bytes: int = 5 * 1024 * 1024,
    workers: int = 1,
) -> RunSummary | None:
    """The flow's "already current" run, done without Prefect: its summary (the run logged), or None to run the flow.

    None whenever the flow could find something to do. Raises RunAlreadyActive when another run holds the lock.
    """
    if not layout.published.exists():
        return None  # a first run; return before the lock creates a work folder beside a warehouse not yet there
    started = datetime.now()
    summary = RunSummary(new_run_id(started), str(source), str(layout.published), started)
    with RunLock(layout):
        remove_leftovers(layout)
        meta = read_meta(layout.published)
        if not is_compatible(meta, models):
            return None
        inputs = build_inputs_version(models, Path(expectations_dir))
        if meta.get("build_inputs") != inputs:
            return None
        state = read_published_state(layout.published, models, meta)
        # Stricter than the flow, never looser: a file ingest would read again (touched, new, rejected before) sends
        # the run to the flow, which reads it once, instead of here and then there.
        files = list_source_files(Path(source))  # listed once: the check here, then the plan
        if not only_known_files(files, state.known_files):
            return None
        scratch = layout.scratch_dir(summary.run_id)
        try:
            plan = plan_ingest(
                Path(source),
                scratch,
                state,
                full_refresh=False,
                batches=batches,
                max_bytes=max_bytes,
                workers=workers,
                files=files,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if not is_current(plan, meta, inputs):
            return None
        summary.take_plan(plan)
        summary.set_already_current(published_counts(layout.published))
        append_run_log(layout.run_log, summary.history_row())
    return summary
