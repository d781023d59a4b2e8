"""The DuckDB side of a run: private build files, loading a run's changes, and the atomic publish."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from flows.catalog import apply_catalog, catalog_for, seed_topics
from flows.faults import crash_point
from flows.sqlmodels import Model, drop_delta, models_version, run_ddl, run_transforms, run_transforms_incremental

WAREHOUSE_FORMAT = "1"
# An incremental transform re-derives at most this share of the documents; more, and a rebuild is cheaper.
INCREMENTAL_MAX_SHARE = 0.25
# DuckDB would take 80% of the machine's memory for a whole rebuild (14 GB at 100,000 documents); capped, it spills
# to disk (beside the build file) instead, so a run's peak memory stays flat as the corpus grows. Marts are sets:
# without insertion order kept, the big joins and aggregates spill rather than fail ("Out of Memory").
BUILD_SETTINGS = {"memory_limit": "1GB", "preserve_insertion_order": False}


class RunAlreadyActive(RuntimeError):
    """Another run holds this warehouse's run lock."""


@dataclass(frozen=True)
class WarehouseLayout:
    """Where a published warehouse keeps its private working state: beside it, on the same filesystem."""

    published: Path

    @property
    def work_dir(self) -> Path:
        return self.published.parent / f".{self.published.name}.work"

    @property
    def lock_path(self) -> Path:
        return self.work_dir / "run.lock"

    @property
    def builds_dir(self) -> Path:
        return self.work_dir / "builds"

    @property
    def scratch_root(self) -> Path:
        return self.work_dir / "scratch"

    @property
    def run_log(self) -> Path:
        return self.work_dir / "runs.jsonl"

    def build_path(self, run_id: str) -> Path:
        return self.builds_dir / f"{run_id}.duckdb"

    def scratch_dir(self, run_id: str) -> Path:
        return self.scratch_root / run_id


class RunLock:
    """An exclusive, non-blocking lock per warehouse; the kernel releases it when the process dies, even by SIGKILL."""

    def __init__(self, layout: WarehouseLayout):
        self.layout = layout
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.layout.work_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.layout.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise RunAlreadyActive(
                f"another ruralpulse run is active on {self.layout.published} ({holder}); "
                "nothing was changed, try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def remove_leftovers(layout: WarehouseLayout) -> list[Path]:
    """Delete build files and scratch folders of runs that died; only call while holding the run lock."""
    removed = []
    for folder in (layout.builds_dir, layout.scratch_root):
        if folder.exists():
            for path in folder.iterdir():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
                removed.append(path)
    return removed


@dataclass(frozen=True)
class KnownDocument:
    """What the published warehouse already holds for a source path."""

    content_sha256: str
    extractor_version: str


def read_meta(published: Path) -> dict[str, str]:
    """The ops.meta of the published warehouse, or {} when there is none yet."""
    if not published.exists():
        return {}
    con = duckdb.connect(str(published), read_only=True)
    try:
        return dict(con.execute("select key, value from ops.meta").fetchall())
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()


def read_known_documents(published: Path) -> dict[str, KnownDocument]:
    """Every document the published warehouse holds, by source path."""
    if not published.exists():
        return {}
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute("select source_path, content_sha256, extractor_version from raw.documents").fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return {path: KnownDocument(sha, version) for path, sha, version in rows}


def read_known_files(published: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every source file the published warehouse loaded cleanly, by relative path."""
    if not published.exists():
        return {}
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute("select rel_path, size, mtime_ns from raw.source_files").fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return {path: (size, mtime) for path, size, mtime in rows}


def read_known_rejections(published: Path) -> set[tuple[str, int | None, str]]:
    """The (source_path, line, reason) of every rejection the published warehouse holds."""
    if not published.exists():
        return set()
    con = duckdb.connect(str(published), read_only=True)
    try:
        return set(con.execute("select source_path, line, reason from raw.rejections").fetchall())
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def is_compatible(meta: dict[str, str], models: list[Model]) -> bool:
    """Whether the published state tables have the layout the current code writes."""
    return meta.get("warehouse_format") == WAREHOUSE_FORMAT and meta.get("raw_version") == models_version(
        models, schema="raw"
    )


def start_build(layout: WarehouseLayout, run_id: str, models: list[Model], *, from_scratch: bool) -> Path:
    """A private copy of the published warehouse (or an empty file) for this run to change."""
    build = layout.build_path(run_id)
    build.parent.mkdir(parents=True, exist_ok=True)
    if build.exists():
        build.unlink()
    if layout.published.exists() and not from_scratch:
        shutil.copyfile(layout.published, build)
    con = duckdb.connect(str(build))
    try:
        run_ddl(con, models)
    finally:
        con.close()
    return build


@dataclass(frozen=True)
class RunChanges:
    """A run's input to the build: which documents exist now and the files holding what changed."""

    current_documents: Path  # Parquet: source_path, content_sha256 of every document in the source now
    source_files: Path  # Parquet: rel_path, size, mtime_ns of every file read without a rejection
    rejections: Path  # Parquet: source_path, line, reason
    batches: list[Path]  # Parquet document batches that were extracted
    outputs: dict[str, list[Path]]  # extraction output files by kind: entities, mentions, metrics, quotes


def apply_changes(
    build: Path,
    changes: RunChanges,
    models: list[Model],
    *,
    run_started: datetime,
    extractor_version: str,
    extra_meta: dict[str, str] | None = None,
) -> dict[str, int]:
    """Load a run's changes into the build's state tables and rebuild every model; returns mart row counts."""
    con = duckdb.connect(str(build), config=BUILD_SETTINGS)
    try:
        con.execute("begin")
        con.execute(
            "create temp table current_documents as select source_path, content_sha256 from read_parquet($f)",
            {"f": str(changes.current_documents)},
        )
        if changes.batches:
            con.execute(
                "create temp table incoming as select * from read_parquet($f)",
                {"f": [str(p) for p in changes.batches]},
            )
        else:
            con.execute("create temp table incoming as select * from raw.documents limit 0")
        # A document re-extracted with unchanged text keeps the time its version was first loaded.
        con.execute(
            """
            create temp table kept_ingested_at as
            select d.source_path, d.ingested_at from raw.documents d
            join incoming i on i.source_path = d.source_path and i.content_sha256 = d.content_sha256
            """
        )
        incremental = _can_transform_incrementally(con, models)
        if incremental:
            _collect_affected_documents(con)
        for table in (
            "entities",
            "mentions",
            "metrics",
            "quotes",
            "metric_sentences",
            "document_topics",
            "metric_topics",
            "documents",
        ):
            con.execute(
                f"""
                delete from raw.{table}
                where source_path in (select source_path from incoming)
                   or source_path not in (select source_path from current_documents)
                """
            )
        con.execute(
            """
            insert into raw.documents
            select i.source_path, i.title, i.publisher, i.url, i.published_date, i.body, i.content_sha256,
                   coalesce(k.ingested_at, $started), $version
            from incoming i left join kept_ingested_at k using (source_path)
            """,
            {"started": run_started, "version": extractor_version},
        )
        for kind, files in changes.outputs.items():
            if files:
                con.execute(
                    f"insert into raw.{kind} by name select * from read_parquet($f)", {"f": [str(p) for p in files]}
                )
        # Rejections describe the source as it is now; a problem seen before keeps its first detection time.
        con.execute(
            """
            create temp table new_rejections as
            select n.source_path, n.line, n.reason, coalesce(o.detected_at, $started) as detected_at
            from read_parquet($f) n
            left join raw.rejections o
              on o.source_path = n.source_path and o.line is not distinct from n.line and o.reason = n.reason
            """,
            {"f": str(changes.rejections), "started": run_started},
        )
        con.execute("delete from raw.rejections")
        con.execute("insert into raw.rejections select * from new_rejections")
        con.execute("delete from raw.source_files")
        con.execute("insert into raw.source_files select * from read_parquet($f)", {"f": str(changes.source_files)})
        seed_topics(con)
        incremental = incremental and _worth_incremental(con)
        # The loads are committed before the transforms, and every model commits as it is built: the build is this
        # run's private file (discarded if the run fails), and under the memory cap DuckDB cannot spill what one
        # open transaction holds, nor the temp tables (a whole corpus of bodies in `incoming`).
        for table in ("incoming", "kept_ingested_at", "new_rejections", "current_documents"):
            con.execute(f"drop table {table}")
        con.execute("commit")
        if incremental:
            run_transforms_incremental(con, models, "affected_documents")
        else:
            run_transforms(con, models)
        con.execute("begin")
        con.execute("delete from ops.changed_documents")
        if incremental:
            con.execute(
                "insert into ops.changed_documents select document_id from staging.stg_documents "
                "where source_path in (select source_path from affected_documents)"
            )
        apply_catalog(con, catalog_for(models))
        meta = {
            "warehouse_format": WAREHOUSE_FORMAT,
            "raw_version": models_version(models, schema="raw"),
            "sql_version": models_version(models),
            "extractor_version": extractor_version,
            "validation_scope": "changed_documents" if incremental else "all_rows",
            **(extra_meta or {}),
        }
        con.executemany("insert or replace into ops.meta values (?, ?)", list(meta.items()))
        con.execute("commit")
        if incremental:
            drop_delta(con)
        return mart_counts(con)
    except BaseException:
        with contextlib.suppress(duckdb.TransactionException):  # none is open between the loads and the metadata
            con.execute("rollback")
        raise
    finally:
        con.close()


def _can_transform_incrementally(con: duckdb.DuckDBPyConnection, models: list[Model]) -> bool:
    """Whether the build's marts were made by this very SQL, so only changed documents need re-deriving."""
    row = con.execute("select value from ops.meta where key = 'sql_version'").fetchone()
    if row is None or row[0] != models_version(models):
        return False
    return {m.name for m in models if m.schema == "marts"} <= set(mart_tables(con))


def _collect_affected_documents(con: duckdb.DuckDBPyConnection) -> None:
    """Temp table affected_documents: loaded, removed, and documents sharing a body with either (duplicates)."""
    con.execute(
        """
        create temp table affected_documents as
        with touched as (
            select source_path from incoming
            union
            select source_path from raw.documents where source_path not in (select source_path from current_documents)
        ),
        bodies as (
            select content_sha256 from incoming
            union
            select content_sha256 from raw.documents where source_path in (select source_path from touched)
        )
        select source_path from touched
        union
        select source_path from raw.documents where content_sha256 in (select content_sha256 from bodies)
        """
    )


def _worth_incremental(con: duckdb.DuckDBPyConnection) -> bool:
    """Re-deriving a few documents beats a rebuild; past a fraction of the corpus the whole rebuild is cheaper."""
    affected, total = con.execute(
        "select (select count(*) from affected_documents), (select count(*) from raw.documents)"
    ).fetchone()
    return affected <= max(INCREMENTAL_MAX_SHARE * total, 1)


def published_counts(published: Path) -> dict[str, int]:
    """Row counts of the published marts."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        return mart_counts(con)
    finally:
        con.close()


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the tables in schema marts, sorted."""
    query = "select table_name from duckdb_tables() where schema_name = 'marts' order by table_name"
    return [name for (name,) in con.execute(query).fetchall()]


def mart_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table in schema marts."""
    return {name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0] for name in mart_tables(con)}


def record_run(build: Path, run_log: Path, run: dict, validation_rows: list[dict]) -> None:
    """Write the run history (this run included) and this run's validation outcomes into the build."""
    history = (
        [json.loads(line) for line in run_log.read_text().splitlines() if line.strip()] if run_log.exists() else []
    )
    con = duckdb.connect(str(build))
    try:
        con.execute("begin")
        for entry in [*history, run]:
            insert_row(con, "ops.runs", entry, replace=True)
        for row in validation_rows:
            insert_row(con, "ops.validation_results", row)
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        con.close()


def insert_row(con: duckdb.DuckDBPyConnection, table: str, row: dict, *, replace: bool = False) -> None:
    """Insert one dict as a row; column names come from the code's own record keys, values are parameters."""
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    verb = "insert or replace" if replace else "insert"
    con.execute(f"{verb} into {table} ({columns}) values ({marks})", list(row.values()))


def append_run_log(run_log: Path, run: dict) -> None:
    """Append one run's summary to the private run history, published with the next successful run."""
    run_log.parent.mkdir(parents=True, exist_ok=True)
    with run_log.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(run, default=str) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def publish(build: Path, published: Path) -> None:
    """Replace the published file by the build in one rename, after both are safely on disk."""
    if not build.exists() and published.exists():
        # A retry after the rename went through (only the directory fsync failed): the build is the published file.
        fsync_directory(published.parent)
        return
    wal = build.with_name(build.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"refusing to publish {build}: it still has a write-ahead log")
    with build.open("rb") as fh:
        os.fsync(fh.fileno())
    published.parent.mkdir(parents=True, exist_ok=True)
    crash_point("publish-rename")
    os.replace(build, published)
    fsync_directory(published.parent)


def fsync_directory(folder: Path) -> None:
    """Make a rename inside folder durable."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
