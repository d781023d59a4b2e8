"""The ruralpulse Prefect flow: ingest -> extract -> transform -> validate -> publish."""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.futures import as_completed
from prefect.states import Failed, State

from flows.batches import BatchResult, extract_batch_file
from flows.faults import crash_point
from flows.gate import validate_build
from flows.sqlmodels import Model, load_models
from flows.stages import IngestPlan, extract_batches_locally, run_changes
from flows.summary import (  # RunSummary, build_inputs_version: still importable from flows.pipeline
    RunSummary,
    build_inputs_version,
    is_current,
    new_run_id,
    plan_ingest,
    read_published_state,
)
from flows.topics import EXTRACTOR_VERSION  # extractor + taxonomy: a taxonomy edit re-tags
from flows.validate import ValidationReport
from flows.warehouse import (
    RunAlreadyActive,
    RunLock,
    WarehouseLayout,
    append_run_log,
    apply_changes,
    is_compatible,
    publish,
    published_counts,
    read_meta,
    record_run,
    remove_leftovers,
    start_build,
)

FLOW_NAME = "ruralpulse"
DEPLOYMENT_NAME = "ruralpulse-scheduled"


@task(name="ingest", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def ingest(
    source: Path,
    scratch: Path,
    published: Path,
    models: list[Model],
    full_refresh: bool,
    batches: int,
    max_bytes: int,
    workers: int,
) -> IngestPlan:
    """Read the source folder and decide which documents are new, changed, unchanged or removed."""
    crash_point("ingest")
    logger = get_run_logger()
    state = read_published_state(published, models)
    if published.exists() and not state.compatible:
        logger.info("the published warehouse was built by an older layout: rebuilding everything")
    # This module's EXTRACTOR_VERSION, as in build_inputs_version and the build's meta (a test replaces it here).
    plan = plan_ingest(
        source,
        scratch,
        state,
        full_refresh=full_refresh,
        batches=batches,
        max_bytes=max_bytes,
        workers=workers,
        extractor_version=EXTRACTOR_VERSION,
    )
    logger.info(
        "ingest: %d new, %d changed, %d unchanged, %d re-extracted, %d removed, %d rejected",
        plan.new,
        plan.changed,
        plan.unchanged,
        plan.reprocessed,
        plan.removed,
        plan.rejected,
    )
    for reason in plan.rejection_reasons[:20]:
        logger.warning("rejected %s", reason)
    return plan


@task(name="extract", cache_policy=NO_CACHE)
def extract(plan: IngestPlan, workers: int) -> list[BatchResult]:
    """Extract entities, figures and quotations from every batch, in worker processes."""
    crash_point("extract")
    logger = get_run_logger()
    total = plan.to_extract
    progress_id = create_progress_artifact(0.0, key="extraction-progress", description="Documents extracted")
    results: list[BatchResult] = []
    done = 0
    for result in extract_batches_locally(plan.batches, workers):
        results.append(result)
        crash_point("extract-batch")
        done += result.documents
        update_progress_artifact(progress_id, 100.0 * done / max(total, 1), description=f"{done}/{total} documents")
        logger.info("extract: %d/%d documents (batch %d/%d)", done, total, len(results), len(plan.batches))
    return results


@task(name="extract-batch", task_run_name="extract {batch.name}", cache_policy=NO_CACHE)
def extract_batch(batch: Path) -> BatchResult:
    """Extract one batch file where the task runner places it (a Dask worker shares the batch folder)."""
    return extract_batch_file(batch)


def extract_on_task_runner(plan: IngestPlan) -> list[BatchResult]:
    """Extract every batch as a task of the flow's task runner (Dask), with progress as batches complete."""
    logger = get_run_logger()
    total = plan.to_extract
    progress_id = create_progress_artifact(0.0, key="extraction-progress", description="Documents extracted")
    results: list[BatchResult] = []
    done = 0
    for future in as_completed(extract_batch.map(plan.batches)):
        result = future.result()
        results.append(result)
        done += result.documents
        update_progress_artifact(progress_id, 100.0 * done / max(total, 1), description=f"{done}/{total} documents")
        logger.info("extract: %d/%d documents (batch %d/%d)", done, total, len(results), len(plan.batches))
    return results


@task(name="transform", cache_policy=NO_CACHE)
def transform(
    layout: WarehouseLayout,
    run_id: str,
    models: list[Model],
    plan: IngestPlan,
    results: list[BatchResult],
    started: datetime,
    build_inputs: str,
) -> tuple[Path, dict[str, int]]:
    """Build a private copy of the warehouse with this run's changes and every SQL model rebuilt."""
    crash_point("transform")
    logger = get_run_logger()
    compatible = is_compatible(read_meta(layout.published), models)
    build = start_build(layout, run_id, models, from_scratch=not compatible)
    counts = apply_changes(
        build,
        run_changes(plan, results),
        models,
        run_started=started,
        extractor_version=EXTRACTOR_VERSION,
        extra_meta={"build_inputs": build_inputs},
    )
    logger.info("transform: %s", ", ".join(f"{name} {n}" for name, n in counts.items()))
    return build, counts


@task(name="validate", cache_policy=NO_CACHE)
def validate(build: Path, expectations: Path, data_docs: Path | None = None) -> ValidationReport:
    """Run every Great Expectations suite against the private build."""
    crash_point("validate")
    logger = get_run_logger()
    report = validate_build(build, expectations, data_docs_dir=data_docs)
    create_markdown_artifact(report.to_markdown(), key="data-quality", description="Great Expectations results")
    failed = report.failed()
    logger.info("validate: %d expectations, %d failed", len(report.outcomes), len(failed))
    for outcome in failed[:20]:
        logger.error("failed expectation %s %s: %s", outcome.suite, outcome.expectation, outcome.description)
    return report


@task(name="publish", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_build(build: Path, published: Path) -> None:
    """Atomically replace the published warehouse by the validated build."""
    crash_point("publish")
    publish(build, published)
    get_run_logger().info("publish: %s replaced atomically", published)


@flow(name=FLOW_NAME, flow_run_name="{source}", log_prints=False)
def ruralpulse_run(
    source: str,
    warehouse: str,
    sql_dir: str,
    expectations_dir: str,
    workers: int,
    batches: int,
    max_bytes: int,
    full_refresh: bool = False,
    extract_on: str = "processes",
) -> RunSummary | State:
    """Turn every document under source into validated marts and publish them to the warehouse file."""
    logger = get_run_logger()
    layout = WarehouseLayout(Path(warehouse))
    started = datetime.now()
    run_id = new_run_id(started)
    summary = RunSummary(run_id=run_id, source=source, warehouse=warehouse, started_at=started)
    stack = ExitStack()
    try:
        stack.enter_context(RunLock(layout))
    except RunAlreadyActive as exc:
        logger.error("%s", exc)
        summary.message = str(exc)
        return Failed(message=str(exc), data=summary)
    with stack:
        for leftover in remove_leftovers(layout):
            logger.info("removed %s left by an interrupted run", leftover.name)
        models = load_models(Path(sql_dir))
        scratch = layout.scratch_dir(run_id)
        try:
            plan = ingest(Path(source), scratch, layout.published, models, full_refresh, batches, max_bytes, workers)
            summary.take_plan(plan)
            inputs = build_inputs_version(models, Path(expectations_dir), EXTRACTOR_VERSION)
            if is_current(plan, read_meta(layout.published), inputs):
                # Same documents, same code, same expectations: the published file is already this run's result.
                # The CLI usually answers this case itself, without a flow run (flows.summary.already_current).
                summary.set_already_current(published_counts(layout.published))
                append_run_log(layout.run_log, summary.history_row())
                create_table_artifact(summary.table(), key="run-summary", description=summary.message)
                logger.info("%s", summary.message)
                return summary
            # "processes": one task, a local process pool; "task-runner": a task per batch on the flow's runner.
            results = extract_on_task_runner(plan) if extract_on == "task-runner" else extract(plan, workers)
            summary.extraction_pids = sorted({r.worker_pid for r in results})
            build, counts = transform(layout, run_id, models, plan, results, started, inputs)
            summary.set_counts(counts)
            data_docs = layout.published.parent / "data_docs"
            report = validate(build, Path(expectations_dir), data_docs)
            if (data_docs / "index.html").exists():
                summary.data_docs = str(data_docs / "index.html")
            summary.validation = "passed" if report.success else "failed"
            summary.failed_expectations = [
                f"{o.suite}: {o.expectation} {o.description}".strip() for o in report.failed()
            ]
            summary.finished_at = datetime.now()
            if not report.success:
                summary.message = "validation failed; the published warehouse was left unchanged"
                append_run_log(layout.run_log, summary.history_row())
                create_table_artifact(
                    summary.table(), key="run-summary", description=summary.described(summary.message)
                )
                failed = "; ".join(summary.failed_expectations[:3])
                # A returned Failed state marks the run failed in the UI without a traceback on the terminal.
                return Failed(message=f"data quality validation failed, nothing published: {failed}", data=summary)
            summary.published = True
            summary.message = "published"
            record_run(build, layout.run_log, summary.history_row(), validation_rows(run_id, report))
            publish_build(build, layout.published)
            append_run_log(layout.run_log, summary.history_row())
            create_table_artifact(
                summary.table(), key="run-summary", description=summary.described(f"published {warehouse}")
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            build_path = layout.build_path(run_id)
            if build_path.exists():
                build_path.unlink()
    logger.info(
        "published: %d documents, %d entities, %d figures, %d quotations",
        summary.documents,
        summary.entities,
        summary.metrics,
        summary.quotes,
    )
    return summary


def scheduled_deployment(cron: str, parameters: dict) -> RunnerDeployment:
    """The scheduled deployment: flow.serve needs no work pool or worker, and a limit of 1 keeps runs apart."""
    return ruralpulse_run.to_deployment(
        name=DEPLOYMENT_NAME,
        cron=cron,
        concurrency_limit=1,
        parameters=parameters,
        description="Ingest, extract, transform, validate and publish the news warehouse on a schedule.",
        tags=["ruralpulse"],
    )


def validation_rows(run_id: str, report: ValidationReport) -> list[dict]:
    """A report's outcomes as rows of ops.validation_results."""
    return [
        {
            "run_id": run_id,
            "validated_at": report.run_at,
            "suite": o.suite,
            "expectation": o.expectation,
            "column_name": o.column,
            "description": o.description,
            "success": o.success,
            "unexpected_count": o.unexpected_count,
            "sample": "; ".join(o.sample) if o.sample else None,
            "error": o.error,
        }
        for o in report.outcomes
    ]


def summary_dict(summary: RunSummary) -> dict:
    """The summary as plain JSON-friendly values."""
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in asdict(summary).items()}
