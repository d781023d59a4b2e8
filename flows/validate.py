"""Great Expectations gate: validate a privately built DuckDB warehouse before it is published."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from duckdb_engine import Dialect as DuckDBDialect
from sqlalchemy.dialects import registry

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.datasource.fluent import SQLDatasource

logger = logging.getLogger(__name__)

DEFAULT_SCHEMA = "marts"
SAMPLE_SIZE = 5
SAMPLE_CHARS = 160
ERROR_CHARS = 400
ROW_QUERY_TYPE = "unexpected_rows_expectation"
MISSING_RELATION_TYPE = "relation_exists"
# Checks that compare rows with each other, or look at the table as a whole, always see every row; the rest
# look only at the rows of the documents this run changed when the build says so (ops.meta validation_scope).
WHOLE_TABLE_TYPES = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
    }
)
# A uniqueness check whose key never spans documents (it holds document_id, or an id hashed from it) says so in its
# meta: a duplicate then lies within one document, and the unchanged documents' rows passed when they were published.
KEY_WITHIN_DOCUMENT = "key_within_document"
UNIQUENESS_TYPES = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})
CHANGED_DOCUMENTS = "ops.changed_documents"
# As the build's (flows/warehouse.py): uncapped, DuckDB takes up to 80% of the machine for the uniqueness checks of a
# whole rebuild (1.8 GB at 100,000 documents); capped, it spills, and a run's peak memory stays flat.
VALIDATION_SETTINGS = {"memory_limit": "512MB", "preserve_insertion_order": False}
FIRST_FROM = re.compile(r"\bfrom\s+(\S+)", re.IGNORECASE)
_DIALECT_DRIVER = "gxreadonly"


class ReadOnlyDuckDBDialect(DuckDBDialect):
    """duckdb-engine dialect without transactions, for engines that only read."""

    # Stated explicitly (as SQLAlchemy asks of every dialect) and False like its parent, which
    # never declared its compiler safe to cache.
    supports_statement_cache = False

    # GX fetches a result after returning its connection to the pool; duckdb-engine's rollback on
    # return runs on the same DuckDB connection and wipes the pending result, so every bundled metric
    # comes back empty ("list index out of range", great_expectations#10738 / #11579). Nothing here
    # writes, so statements may run in DuckDB's autocommit mode and there is nothing to roll back.
    def do_begin(self, dbapi_connection: Any) -> None:
        pass

    def do_rollback(self, dbapi_connection: Any) -> None:
        pass

    def do_commit(self, dbapi_connection: Any) -> None:
        pass


registry.register(f"duckdb.{_DIALECT_DRIVER}", __name__, ReadOnlyDuckDBDialect.__name__)


class WarehouseInUseError(RuntimeError):
    """The warehouse file is held open elsewhere, so it cannot be opened read-only."""


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation of one suite."""

    suite: str
    expectation: str
    column: str | None
    description: str
    success: bool
    unexpected_count: int | None
    sample: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """Every expectation outcome of one validation run."""

    success: bool
    outcomes: list[ExpectationOutcome]
    run_at: datetime

    def failed(self) -> list[ExpectationOutcome]:
        """Outcomes that failed or could not be evaluated."""
        return [outcome for outcome in self.outcomes if not outcome.success]

    def to_markdown(self) -> str:
        """A data-quality report: one table per suite, failing suites and failures first."""
        verdict = "PASSED" if self.success else "FAILED"
        lines = [
            f"# Data quality report: {verdict}",
            "",
            f"Run at {self.run_at.isoformat(timespec='seconds')}: {len(self.outcomes)} expectations, "
            f"{len(self.failed())} failed.",
        ]
        by_suite: dict[str, list[ExpectationOutcome]] = {}
        for outcome in self.outcomes:
            by_suite.setdefault(outcome.suite, []).append(outcome)
        suites = sorted(by_suite, key=lambda name: (all(o.success for o in by_suite[name]), name))
        for suite in suites:
            outcomes = sorted(by_suite[suite], key=lambda o: o.success)
            failed = sum(not o.success for o in outcomes)
            lines += [
                "",
                f"## {suite}: {'all passed' if not failed else f'{failed} failed'}",
                "",
                "| result | expectation | column | rule | unexpected | sample |",
                "|---|---|---|---|---|---|",
            ]
            for o in outcomes:
                result = "pass" if o.success else ("ERROR" if o.error else "FAIL")
                detail = o.error if o.error else "; ".join(o.sample)
                count = "" if o.unexpected_count is None else str(o.unexpected_count)
                cells = [result, o.expectation, o.column or "", o.description, count, detail]
                lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
        return "\n".join(lines) + "\n"


def load_suites(suites_dir: Path) -> list[ExpectationSuite]:
    """Every GX suite stored as *.json in the folder, sorted by file name."""
    gx = import_great_expectations()
    _ephemeral_context(None)  # a suite can only be built while a context is active
    suites = []
    for path in sorted(Path(suites_dir).glob("*.json")):
        suite_dict = json.loads(path.read_text(encoding="utf-8"))
        suites.append(gx.ExpectationSuite(**suite_dict))
    return suites


def relation_of(suite: ExpectationSuite) -> str:
    """The schema-qualified relation a suite checks: meta.relation, else marts.<suite name>."""
    relation = (suite.meta or {}).get("relation")
    return relation or f"{DEFAULT_SCHEMA}.{suite.name}"


def validate_warehouse(db_path: Path, suites_dir: Path, *, data_docs_dir: Path | None = None) -> ValidationReport:
    """Run every suite of suites_dir against the DuckDB file at db_path, which is left unlocked."""
    run_at = datetime.now(UTC)
    db_path = Path(db_path).resolve()
    if not db_path.is_file():
        raise FileNotFoundError(f"warehouse file not found: {db_path}")
    suites = load_suites(suites_dir)
    if not suites:
        raise ValueError(f"no expectation suites (*.json) in {suites_dir}")
    context = _ephemeral_context(data_docs_dir)
    datasource = _add_warehouse_datasource(context, db_path)
    outcomes: list[ExpectationOutcome] = []
    suite_results = []
    try:
        engine = datasource.get_engine()
        existing = _existing_relations(engine)
        changed_only = _changed_documents_scope(engine, existing)
        for suite in suites:
            relation = relation_of(suite)
            if relation.lower() not in existing:
                outcomes.append(_missing_relation_outcome(suite.name, relation))
                continue
            scoped = changed_only and "document_id" in _relation_columns(engine, relation)
            try:
                suite_outcomes, results = _validate_suite(datasource, suite, relation, changed_only=scoped)
            except Exception as exc:  # a suite that cannot run must fail the gate, not crash it
                suite_outcomes = [_outcome_from_exception(suite.name, e.configuration, exc) for e in suite.expectations]
                results = []
            outcomes += suite_outcomes
            suite_results += results
    finally:
        _release(datasource)
    if data_docs_dir is not None:
        try:
            _build_data_docs(context, suites, suite_results, run_at)
        except Exception:
            # The docs are a convenience for humans; the verdict stands without them.
            logger.exception("could not build Data Docs in %s", data_docs_dir)
    return ValidationReport(success=all(o.success for o in outcomes), outcomes=outcomes, run_at=run_at)


def import_great_expectations() -> Any:
    """The great_expectations module, imported now (it takes seconds) with its usage statistics off."""
    # GX reads this when a context starts; the machine is offline and usage statistics are unwanted.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # Imported lazily: importing GX takes seconds, and most users of flows.* never validate.
    import great_expectations as gx

    return gx


def _ephemeral_context(data_docs_dir: Path | None) -> Any:
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    docs_sites = {}
    if data_docs_dir is not None:
        docs_sites["local_site"] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites=docs_sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _add_warehouse_datasource(context: Any, db_path: Path) -> SQLDatasource:
    connection_string = f"duckdb+{_DIALECT_DRIVER}:///{db_path}"
    try:
        # add_sql probes the connection, so a refused open raises here rather than mid-validation.
        return context.data_sources.add_sql(
            "warehouse",
            connection_string=connection_string,
            kwargs={"connect_args": {"read_only": True, "config": VALIDATION_SETTINGS}},
        )
    except Exception as exc:
        if "different configuration" in str(exc) or "lock" in str(exc).lower():
            raise WarehouseInUseError(
                f"cannot open {db_path} read-only: close every connection to it (in this process and others) "
                f"before validating. {exc}"
            ) from exc
        raise


def _existing_relations(engine: sa.Engine) -> set[str]:
    query = sa.text("select table_schema || '.' || table_name from information_schema.tables")
    with engine.connect() as connection:
        return {name.lower() for (name,) in connection.execute(query).fetchall()}


def _changed_documents_scope(engine: sa.Engine, existing: set[str]) -> bool:
    """Whether the build asks for per-document checks on the changed documents only (an incremental run)."""
    if "ops.meta" not in existing or CHANGED_DOCUMENTS not in existing:
        return False
    query = sa.text("select value from ops.meta where key = 'validation_scope'")
    with engine.connect() as connection:
        row = connection.execute(query).fetchone()
    return row is not None and row[0] == "changed_documents"


def _relation_columns(engine: sa.Engine, relation: str) -> set[str]:
    schema, name = relation.split(".")
    query = sa.text(
        "select column_name from information_schema.columns where table_schema = :schema and table_name = :name"
    )
    with engine.connect() as connection:
        return {c for (c,) in connection.execute(query, {"schema": schema, "name": name}).fetchall()}


def _changed_rows_suffice(expectation: Any) -> bool:
    """Whether an expectation can judge the changed documents' rows without the rest: it judges each row alone, or
    it is a uniqueness check whose key never spans documents."""
    if expectation.expectation_type in UNIQUENESS_TYPES:
        return bool((expectation.meta or {}).get(KEY_WITHIN_DOCUMENT))
    if expectation.expectation_type in WHOLE_TABLE_TYPES:
        return False
    if expectation.expectation_type == ROW_QUERY_TYPE:
        # A row query whose rows come from another relation reads the batch as a lookup ("every figure has
        # a row here"): it needs the whole batch.
        query = expectation.configuration.kwargs.get("unexpected_rows_query", "")
        first = FIRST_FROM.search(query)
        return first is not None and first.group(1) == "{batch}"
    return True


def _validate_suite(
    datasource: SQLDatasource, suite: ExpectationSuite, relation: str, *, changed_only: bool = False
) -> tuple[list[ExpectationOutcome], list[tuple[str, Any]]]:
    gx = import_great_expectations()
    whole = datasource.add_query_asset(suite.name, query=f"select * from {relation}")
    batches = {"whole": whole.add_batch_definition_whole_table("whole").get_batch()}
    if changed_only:
        # Rows of unchanged documents passed when they were published; a per-row check need not read them again.
        changed = datasource.add_query_asset(
            f"{suite.name}.changed",
            query=f"select * from {relation} where document_id in (select document_id from {CHANGED_DOCUMENTS})",
        )
        batches["changed"] = changed.add_batch_definition_whole_table("changed").get_batch()

    def batch_of(expectation: Any) -> str:
        return "changed" if changed_only and _changed_rows_suffice(expectation) else "whole"

    row_identity = list((suite.meta or {}).get("row_identity") or [])
    # Row queries need COMPLETE to return their rows (GX caps them at 200); column checks stay at
    # SUMMARY so a badly broken column never drags every unexpected value into Python.
    row_format = {"result_format": "COMPLETE"}
    column_format = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": SAMPLE_SIZE,
        "unexpected_index_column_names": row_identity,
    }
    groups = {}
    for scope in batches:
        in_scope = [e for e in suite.expectations if batch_of(e) == scope]
        suffix = "" if scope == "whole" else f"-{scope}"
        groups[f"row-queries{suffix}"] = (
            scope,
            [e for e in in_scope if e.expectation_type == ROW_QUERY_TYPE],
            row_format,
        )
        groups[f"column-checks{suffix}"] = (
            scope,
            [e for e in in_scope if e.expectation_type != ROW_QUERY_TYPE],
            column_format,
        )
    outcomes: list[ExpectationOutcome] = []
    results = []
    for label, (scope, expectations, result_format) in groups.items():
        if not expectations:
            continue
        batch = batches[scope]
        part = gx.ExpectationSuite(name=suite.name, expectations=[e.configuration for e in expectations])
        try:
            suite_result = batch.validate(part, result_format=result_format)
        except Exception as exc:  # an expectation that cannot run must fail, not crash the gate
            outcomes += [_outcome_from_exception(suite.name, e.configuration, exc) for e in expectations]
            continue
        results.append((label, suite_result))
        outcomes += [_outcome_from_result(suite.name, result) for result in suite_result.results]
    return outcomes, results


def _outcome_from_result(suite_name: str, result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    details = result.result or {}
    error = _exception_message(result.exception_info) if not result.success else None
    if error is None and not result.success and not details:
        error = "expectation was not evaluated (no result and no exception reported)"
    return ExpectationOutcome(
        suite=suite_name,
        expectation=config.type,
        column=_column_of(config.kwargs),
        description=_describe(config),
        success=bool(result.success),
        unexpected_count=_unexpected_count(config.type, details),
        sample=[] if result.success else _sample(details),
        error=error,
    )


def _outcome_from_exception(suite_name: str, config: Any, exc: Exception) -> ExpectationOutcome:
    return ExpectationOutcome(
        suite=suite_name,
        expectation=config.type,
        column=_column_of(config.kwargs),
        description=_describe(config),
        success=False,
        unexpected_count=None,
        sample=[],
        error=_shorten(f"{type(exc).__name__}: {exc}", ERROR_CHARS),
    )


def _missing_relation_outcome(suite_name: str, relation: str) -> ExpectationOutcome:
    message = f"relation {relation} does not exist in the warehouse"
    return ExpectationOutcome(
        suite=suite_name,
        expectation=MISSING_RELATION_TYPE,
        column=None,
        description=f"{relation} exists",
        success=False,
        unexpected_count=None,
        sample=[],
        error=message,
    )


def _exception_message(exception_info: Any) -> str | None:
    # GX reports either one flat {raised_exception, exception_message} or one such dict per metric.
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    messages = [info.get("exception_message") for info in infos if isinstance(info, dict)]
    raised = [m for m, info in zip(messages, infos, strict=True) if info.get("raised_exception") or m]
    unique = list(dict.fromkeys(m for m in raised if m))
    return _shorten(" | ".join(unique), ERROR_CHARS) if unique else None


def _column_of(kwargs: dict) -> str | None:
    if kwargs.get("column"):
        return kwargs["column"]
    if kwargs.get("column_list"):
        return ", ".join(kwargs["column_list"])
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return None


def _describe(config: Any) -> str:
    if config.description:
        return config.description
    shown = {k: v for k, v in config.kwargs.items() if k not in ("batch_id", "result_format")}
    return _shorten(f"{config.type} {shown}", SAMPLE_CHARS)


def _unexpected_count(expectation_type: str, details: dict) -> int | None:
    if "unexpected_count" in details:
        return details["unexpected_count"]
    if expectation_type == ROW_QUERY_TYPE and isinstance(details.get("observed_value"), int):
        return details["observed_value"]
    return None


def _sample(details: dict) -> list[str]:
    rows = (details.get("details") or {}).get("unexpected_rows")
    if rows:
        return [_render(row) for row in rows[:SAMPLE_SIZE]]
    index_rows = details.get("partial_unexpected_index_list")
    if index_rows:
        return [_render(row) for row in index_rows[:SAMPLE_SIZE]]
    values = details.get("partial_unexpected_list")
    if values:
        return [_render(value) for value in values[:SAMPLE_SIZE]]
    missing = ((details.get("details") or {}).get("mismatched") or {}).get("missing")
    if missing:
        return [f"missing column {name}" for name in missing[:SAMPLE_SIZE]]
    return []


def _render(value: Any) -> str:
    if isinstance(value, dict):
        return _shorten(", ".join(f"{k}={_render(v)}" for k, v in value.items()), SAMPLE_CHARS)
    if value is None:
        return "NULL"
    return _shorten(value if isinstance(value, str) else str(value), SAMPLE_CHARS)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _release(datasource: SQLDatasource) -> None:
    # The caller renames the file right after; a pooled DuckDB connection would keep it open.
    engines = [datasource.get_execution_engine().engine]
    with contextlib.suppress(Exception):
        engines.append(datasource.get_engine())
    for engine in engines:
        engine.dispose()
    gc.collect()


def _build_data_docs(context: Any, suites: list[Any], suite_results: list[tuple[str, Any]], run_at: datetime) -> None:
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    for suite in suites:
        context.suites.add(suite)
    run_id = RunIdentifier(run_name="warehouse-gate", run_time=run_at)
    for label, result in suite_results:
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=run_id,
            batch_identifier=label,
        )
        context.validation_results_store.set(key, result)
    context.build_data_docs()
