"""The SQL models in sql/: discovered by folder, ordered by their references, run against one DuckDB connection."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

# The folder decides how a file is materialized, so the SQL files hold only their select (or DDL).
MATERIALIZATION = {"raw": "ddl", "ops": "ddl", "staging": "view", "marts": "table"}
REFERENCE = re.compile(r"\b(raw|ops|staging|marts)\.(\w+)\b")


@dataclass(frozen=True)
class Model:
    """One SQL file: the relation it defines and how the runner materializes it."""

    schema: str
    name: str
    path: Path
    sql: str
    materialization: str

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    def references(self) -> set[str]:
        return {f"{s}.{n}" for s, n in REFERENCE.findall(self.sql)} - {self.relation}


def load_models(sql_dir: Path) -> list[Model]:
    """Every model under sql_dir, in the order they must run."""
    models: dict[str, Model] = {}
    for folder, materialization in MATERIALIZATION.items():
        for path in sorted((sql_dir / folder).glob("*.sql")):
            model = Model(
                folder, path.stem, path, path.read_text(encoding="utf-8").strip().rstrip(";"), materialization
            )
            models[model.relation] = model
    graph = {rel: {r for r in m.references() if r in models} for rel, m in models.items()}
    return [models[rel] for rel in TopologicalSorter(graph).static_order()]


def models_version(models: list[Model], *, schema: str | None = None) -> str:
    """Fingerprint of the SQL text, so a changed model or table layout can be detected between runs."""
    digest = hashlib.sha256()
    for model in sorted(models, key=lambda m: m.relation):
        if schema is None or model.schema == schema:
            digest.update(model.relation.encode() + b"\0" + model.sql.encode() + b"\0")
    return digest.hexdigest()[:16]


def create_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Every schema a model may live in."""
    for schema in MATERIALIZATION:
        con.execute(f"create schema if not exists {schema}")


def run_ddl(con: duckdb.DuckDBPyConnection, models: list[Model]) -> None:
    """Create the state tables that loads write into (idempotent)."""
    create_schemas(con)
    for model in models:
        if model.materialization == "ddl":
            con.execute(model.sql)


def run_transforms(con: duckdb.DuckDBPyConnection, models: list[Model]) -> list[str]:
    """Rebuild every view and table model from the state tables; returns the relations built."""
    built = []
    for model in models:
        if model.materialization == "view":
            con.execute(f"create or replace view {model.relation} as\n{model.sql}")
        elif model.materialization == "table":
            con.execute(f"create or replace table {model.relation} as\n{model.sql}")
        else:
            continue
        built.append(model.relation)
    return built


# The key that makes a mart incremental: a table with this column holds rows derived from one document each.
DOCUMENT_KEY = "document_id"
# The schema that holds only the rows of the documents a run re-derives; it lives for one transform. Its
# relations are named schema_name, so none shadows a published relation's name.
DELTA_SCHEMA = "delta"
# Per-document marts read these shared marts; a changed row there re-derives every document that points at it.
SHARED_LOOKUPS = {"marts.dim_entity": ("entity_id", "marts.fct_entity_mention")}
AFFECTED_IDS = f"{DELTA_SCHEMA}.affected_document_ids"


def run_transforms_incremental(con: duckdb.DuckDBPyConnection, models: list[Model], affected: str) -> list[str]:
    """Re-derive only the documents listed in table `affected` (source_path) and rebuild the shared marts.

    A mart with a document_id column is per-document: its rows of affected documents are deleted and computed
    again from delta schemas that hold only those documents' rows. Every other mart is small (entities, topics)
    or spans documents, and is rebuilt whole. The result equals run_transforms on the same state tables.
    """
    tables = {m.relation for m in models if m.materialization == "table"}
    per_document = {rel for rel in tables if DOCUMENT_KEY in _columns(con, rel)}
    ordered = _shared_first(models, per_document)
    delta_ready = False
    built = []
    for model in ordered:
        if model.materialization == "view":
            con.execute(f"create or replace view {model.relation} as\n{model.sql}")
        elif model.materialization == "table" and model.relation not in per_document:
            before = _snapshot(con, model.relation) if model.relation in SHARED_LOOKUPS else None
            con.execute(f"create or replace table {model.relation} as\n{model.sql}")
            if before:
                _add_documents_of_changed_rows(con, model.relation, before, affected)
        elif model.materialization == "table":
            if not delta_ready:
                _create_delta_inputs(con, models, affected)
                delta_ready = True
            delta = _delta_sql(model.sql, per_document)
            name = delta_name(model.relation)
            con.execute(f"create table {name} as\n{delta}")
            con.execute(f"delete from {model.relation} where {DOCUMENT_KEY} in (select * from {AFFECTED_IDS})")
            con.execute(f"insert into {model.relation} by name select * from {name}")
        else:
            continue
        built.append(model.relation)
    return built


def drop_delta(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the incremental transform's working schema; after the commit, for DuckDB drops tables created and
    dropped in one transaction badly ('another transaction has dropped this table' at commit, seen in 2.0)."""
    con.execute(f"drop schema if exists {DELTA_SCHEMA} cascade")


def delta_name(relation: str) -> str:
    """Where the affected documents' rows of a relation live during an incremental transform."""
    return f"{DELTA_SCHEMA}.{relation.replace('.', '_')}"


def columns_of(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[tuple[str, str, str | None]]:
    """(column, type, comment) of one relation, in column order."""
    return con.execute(
        """
        select column_name, data_type, comment from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
        order by column_index
        """,
        [schema, name],
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    return {column for column, _type, _comment in columns_of(con, *relation.split("."))}


def _shared_first(models: list[Model], per_document: set[str]) -> list[Model]:
    """Models in run order, with shared marts that need no per-document mart moved first.

    Such marts (dim_entity) decide which other documents a run must re-derive, so they are settled before any
    per-document mart is touched.
    """
    downstream = set(per_document)
    for model in models:  # already in dependency order
        if model.references() & downstream:
            downstream.add(model.relation)
    early = [m for m in models if m.materialization == "table" and m.relation not in downstream]
    return (
        [m for m in models if m.materialization != "table"]
        + early
        + [m for m in models if m.materialization == "table" and m.relation in downstream]
    )


def _snapshot(con: duckdb.DuckDBPyConnection, relation: str) -> str | None:
    if not _columns(con, relation):
        return None
    name = "before_" + relation.replace(".", "_")
    con.execute(f"create or replace temp table {name} as select * from {relation}")
    return name


def _add_documents_of_changed_rows(con: duckdb.DuckDBPyConnection, relation: str, before: str, affected: str) -> None:
    key, pointers = SHARED_LOOKUPS[relation]
    con.execute(
        f"""
        insert into {affected}
        select distinct d.source_path
        from {pointers} p
        join marts.dim_document d using ({DOCUMENT_KEY})
        where p.{key} in (
            select {key} from (select * from {relation} except select * from {before})
            union
            select {key} from (select * from {before} except select * from {relation})
        )
        and d.source_path not in (select source_path from {affected})
        """
    )
    con.execute(f"drop table {before}")


def _create_delta_inputs(con: duckdb.DuckDBPyConnection, models: list[Model], affected: str) -> None:
    """The affected documents' state rows (tables without source_path whole) and the staging views over them."""
    con.execute(f"drop schema if exists {DELTA_SCHEMA} cascade")
    con.execute(f"create schema {DELTA_SCHEMA}")
    for model in models:
        if model.schema == "raw":
            target = delta_name(model.relation)
            if "source_path" in _columns(con, model.relation):
                con.execute(
                    f"create table {target} as select * from {model.relation} "
                    f"where source_path in (select source_path from {affected})"
                )
            else:
                con.execute(f"create view {target} as select * from {model.relation}")
        elif model.schema == "staging":
            con.execute(f"create view {delta_name(model.relation)} as\n{_delta_sql(model.sql, set())}")
    # Ids of documents that are gone are only in the published dim_document; new ones only in staging.
    con.execute(
        f"""
        create table {AFFECTED_IDS} as
        select document_id from marts.dim_document where source_path in (select source_path from {affected})
        union
        select document_id from {delta_name("staging.stg_documents")}
        """
    )


def _delta_sql(sql: str, per_document: set[str]) -> str:
    """The model's SQL reading delta schemas: raw and staging always, marts only where they are per-document."""

    def swap(match: re.Match) -> str:
        schema, name = match.group(1), match.group(2)
        if schema == "marts" and f"marts.{name}" not in per_document:
            return match.group(0)
        if schema == "ops":
            return match.group(0)
        return delta_name(f"{schema}.{name}")

    return REFERENCE.sub(swap, sql)
