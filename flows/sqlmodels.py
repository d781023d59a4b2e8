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
