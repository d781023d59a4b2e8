"""Descriptions of the warehouse from sql/docs/catalog.toml: COMMENT ON at every build, and docs/data-dictionary.md."""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.sqlmodels import Model, columns_of, load_models, run_ddl, run_transforms
from flows.topics import Topic, keyword_rows, load_taxonomy, taxonomy_path, topic_rows

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
CATALOG_FILE = "docs/catalog.toml"  # relative to the sql folder, so a run describes the models it built
DICTIONARY_FILE = PROJECT_ROOT / "docs" / "data-dictionary.md"
# The schemas analysts query; every column of theirs must be described, and only they go into the dictionary.
DOCUMENTED_SCHEMAS = ("marts", "ops")
DESCRIBED_SCHEMAS = ("marts", "ops", "raw", "staging")


@dataclass(frozen=True)
class Catalog:
    """Relation and column descriptions; a column a relation does not describe falls back to the common one."""

    relations: dict[str, str]
    columns: dict[str, dict[str, str]]
    common: dict[str, str]

    def column(self, relation: str, name: str) -> str | None:
        """The description of relation.name, or None."""
        return self.columns.get(relation, {}).get(name) or self.common.get(name)


def load_catalog(path: Path) -> Catalog:
    """Read a catalog file: [common.columns], [<schema>.<relation>] and [<schema>.<relation>.columns]."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    common = dict(data.get("common", {}).get("columns", {}))
    relations: dict[str, str] = {}
    columns: dict[str, dict[str, str]] = {}
    for schema, entries in data.items():
        if schema == "common":
            continue
        for name, entry in entries.items():
            relation = f"{schema}.{name}"
            relations[relation] = str(entry.get("description", "")).strip()
            columns[relation] = {k: str(v).strip() for k, v in entry.get("columns", {}).items()}
    return Catalog(relations, columns, common)


def catalog_file(models: list[Model]) -> Path:
    """Where the catalog of these SQL models lives: sql/docs/catalog.toml beside their folders."""
    return models[0].path.parents[1] / CATALOG_FILE


def catalog_for(models: list[Model]) -> Catalog:
    """The catalog beside the SQL models."""
    return load_catalog(catalog_file(models))


def build_input_files(models: list[Model]) -> list[Path]:
    """Files besides the SQL that shape a build (taxonomy, descriptions): a change to one must rebuild."""
    return [taxonomy_path(), catalog_file(models)]


def seed_topics(con: duckdb.DuckDBPyConnection, topics: list[Topic] | None = None) -> None:
    """Replace raw.topics and raw.topic_keywords by the taxonomy, so dim_topic lists the current file (the
    document and figure tags come from the extraction workers, see flows/topics.py)."""
    topics = load_taxonomy() if topics is None else topics
    con.execute("delete from raw.topic_keywords")
    con.execute("delete from raw.topics")
    con.executemany("insert into raw.topics values (?, ?, ?, ?)", topic_rows(topics))
    con.executemany("insert into raw.topic_keywords values (?, ?, ?, ?)", keyword_rows(topics))


def relations(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(schema, name, 'table' or 'view') of every relation in the given schemas of the open database."""
    marks = ", ".join("?" for _ in schemas)
    return con.execute(
        f"""
        select schema_name, table_name, 'table' from duckdb_tables()
        where database_name = current_database() and schema_name in ({marks})
        union all
        select schema_name, view_name, 'view' from duckdb_views()
        where database_name = current_database() and schema_name in ({marks}) and not internal
        order by 1, 2
        """,
        [*schemas, *schemas],
    ).fetchall()


def apply_catalog(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> list[str]:
    """COMMENT ON every described relation and column; returns the columns of marts and ops left undescribed."""
    undescribed = []
    for schema, name, kind in relations(con, DESCRIBED_SCHEMAS):
        relation = f"{schema}.{name}"
        if catalog.relations.get(relation):
            con.execute(f"comment on {kind} {schema}.{name} is {_literal(catalog.relations[relation])}")
        for column, _type, _comment in columns_of(con, schema, name):
            text = catalog.column(relation, column)
            if text:
                con.execute(f'comment on column {schema}.{name}."{column}" is {_literal(text)}')
            elif schema in DOCUMENTED_SCHEMAS:
                undescribed.append(f"{relation}.{column}")
    return undescribed


def _literal(text: str) -> str:
    # COMMENT ON takes no parameters; the text comes from the project's own catalog file.
    return "'" + text.replace("'", "''") + "'"


def reference_warehouse(sql_dir: Path = SQL_DIR) -> duckdb.DuckDBPyConnection:
    """An empty in-memory warehouse with every model built and described, for the data dictionary."""
    models = load_models(sql_dir)
    con = duckdb.connect(":memory:")
    run_ddl(con, models)
    seed_topics(con)
    run_transforms(con, models)
    apply_catalog(con, catalog_for(models))
    return con


def render_dictionary(con: duckdb.DuckDBPyConnection, catalog: Catalog) -> str:
    """docs/data-dictionary.md: every relation of marts and ops, its description and its columns with types."""
    found = relations(con, DOCUMENTED_SCHEMAS)
    # Relations in the order the catalog lists them (the curated reading order), then any others.
    order = {relation: i for i, relation in enumerate(catalog.relations)}
    found.sort(key=lambda r: (DOCUMENTED_SCHEMAS.index(r[0]), order.get(f"{r[0]}.{r[1]}", len(order)), r[1]))
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by `ruralpulse docs` from sql/docs/catalog.toml and the SQL models; do not edit by hand. -->",
        "",
        "Every relation analysts query in `warehouse/ruralpulse.duckdb`. The warehouse stores the same descriptions:",
        "`select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'`.",
        "",
    ]
    lines += [f"- [`{s}.{n}`](#{s}{n}) ({kind})" for s, n, kind in found]
    for schema, name, kind in found:
        relation = f"{schema}.{name}"
        lines += ["", f"## {relation}", "", f"{kind.capitalize()}. {catalog.relations.get(relation, '')}".rstrip(), ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        for column, data_type, comment in columns_of(con, schema, name):
            cells = [f"`{column}`", f"`{data_type}`", (comment or "").replace("|", "\\|")]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def generate_dictionary(sql_dir: Path = SQL_DIR) -> str:
    """The data dictionary the current SQL models and catalog produce."""
    con = reference_warehouse(sql_dir)
    try:
        return render_dictionary(con, catalog_for(load_models(sql_dir)))
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    """Write docs/data-dictionary.md, or with --check report whether it is current."""
    parser = argparse.ArgumentParser(prog="ruralpulse docs", description="regenerate docs/data-dictionary.md")
    parser.add_argument("--out", default=str(DICTIONARY_FILE), help="where to write (default: docs/data-dictionary.md)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    args = parser.parse_args(argv)
    text = generate_dictionary()
    out = Path(args.out)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is out of date: run `ruralpulse docs`", file=sys.stderr)
            return 1
        print(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
