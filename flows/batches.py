"""Columnar batch files that carry documents and extraction results between processes (no Prefect, no DuckDB)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.extract import extract_document
from flows.topics import tagger_for

DOCUMENT_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("title", pa.string()),
        ("publisher", pa.string()),
        ("url", pa.string()),
        ("published_date", pa.date32()),
        ("body", pa.string()),
        ("content_sha256", pa.string()),
    ]
)
ENTITY_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("entity_key", pa.string()),
        ("entity_type", pa.string()),
        ("name", pa.string()),
        ("age", pa.int32()),
        ("role", pa.string()),
        ("affiliation_key", pa.string()),
    ]
)
MENTION_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("entity_key", pa.string()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
    ]
)
METRIC_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("ordinal", pa.int32()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("value", pa.float64()),
        ("value_low", pa.float64()),
        ("value_high", pa.float64()),
        ("unit", pa.string()),
        ("qualifier", pa.string()),
        ("period", pa.string()),
        ("subject", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("is_projection", pa.bool_()),
        ("metric_kind", pa.string()),
        ("equivalent_of", pa.int32()),
    ]
)
QUOTE_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("ordinal", pa.int32()),
        ("char_start", pa.int32()),
        ("char_end", pa.int32()),
        ("speaker_key", pa.string()),
    ]
)
# Sentence bounds of each figure (body[sentence_start:sentence_end]), by the figure's ordinal.
METRIC_SENTENCE_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("ordinal", pa.int32()),
        ("sentence_start", pa.int32()),
        ("sentence_end", pa.int32()),
    ]
)
# Topics of each document and of each figure (flows/topics.py), tagged by the taxonomy in use.
DOCUMENT_TOPIC_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("topic_id", pa.string()),
        ("matched_in", pa.string()),
        ("title_matches", pa.int32()),
        ("body_matches", pa.int32()),
        ("matched_text", pa.string()),
    ]
)
METRIC_TOPIC_SCHEMA = pa.schema(
    [
        ("source_path", pa.string()),
        ("ordinal", pa.int32()),
        ("topic_id", pa.string()),
        ("matched_on", pa.string()),
        ("matched_text", pa.string()),
    ]
)
# Documents extracted between two writes of a batch's output files.
DOCUMENTS_PER_ROW_GROUP = 500
# One Parquet file per kind and batch; each kind loads into raw.<kind> by column name.
OUTPUT_SCHEMAS = {
    "entities": ENTITY_SCHEMA,
    "mentions": MENTION_SCHEMA,
    "metrics": METRIC_SCHEMA,
    "quotes": QUOTE_SCHEMA,
    "metric_sentences": METRIC_SENTENCE_SCHEMA,
    "document_topics": DOCUMENT_TOPIC_SCHEMA,
    "metric_topics": METRIC_TOPIC_SCHEMA,
}


@dataclass(frozen=True)
class BatchResult:
    """What one extraction batch produced: its output files and row counts."""

    batch: Path
    documents: int
    counts: dict[str, int]
    outputs: dict[str, Path]
    worker_pid: int = 0  # the process that extracted it, so a run can show where the work went


def output_path(batch: Path, kind: str) -> Path:
    """Where a batch's extraction output of one kind lives."""
    return batch.with_name(f"{batch.stem}.{kind}.parquet")


def extract_batch_file(batch: Path) -> BatchResult:
    """Extract every document of a batch file and write one Parquet file per output kind beside it."""
    outputs = {kind: output_path(batch, kind) for kind in OUTPUT_SCHEMAS}
    counts = dict.fromkeys(OUTPUT_SCHEMAS, 0)
    documents = 0
    writers = {kind: pq.ParquetWriter(outputs[kind], OUTPUT_SCHEMAS[kind]) for kind in OUTPUT_SCHEMAS}
    try:
        # A batch grows with the corpus (their number is fixed), so rows go out a row group at a time: a worker's
        # memory is bounded by DOCUMENTS_PER_ROW_GROUP documents, not by the batch.
        columns = ["source_path", "title", "body", "published_date"]
        for chunk in pq.ParquetFile(batch).iter_batches(batch_size=DOCUMENTS_PER_ROW_GROUP, columns=columns):
            rows: dict[str, list[dict]] = {kind: [] for kind in OUTPUT_SCHEMAS}
            for doc in chunk.to_pylist():
                add_extraction_rows(rows, doc["source_path"], doc["body"], doc["published_date"], doc["title"])
                documents += 1
            for kind, writer in writers.items():
                writer.write_table(pa.Table.from_pylist(rows[kind], schema=OUTPUT_SCHEMAS[kind]))
                counts[kind] += len(rows[kind])
    finally:
        for writer in writers.values():
            writer.close()
    return BatchResult(batch=batch, documents=documents, counts=counts, outputs=outputs, worker_pid=os.getpid())


def add_extraction_rows(
    rows: dict[str, list[dict]], source_path: str, body: str, published: date | None, title: str
) -> None:
    """Append one document's extraction, flattened to rows, to the per-kind row lists: entities, figures,
    quotations, each figure's sentence bounds, and the topics of the document and of each figure."""
    result = extract_document(body, published)
    for e in result.entities:
        rows["entities"].append(
            {
                "source_path": source_path,
                "entity_key": e.key,
                "entity_type": e.entity_type,
                "name": e.name,
                "age": e.age,
                "role": e.role,
                "affiliation_key": e.affiliation,
            }
        )
    for m in result.mentions:
        rows["mentions"].append(
            {"source_path": source_path, "entity_key": m.entity_key, "char_start": m.char_start, "char_end": m.char_end}
        )
    for i, m in enumerate(result.metrics):
        rows["metrics"].append(
            {
                "source_path": source_path,
                "ordinal": i,
                "char_start": m.char_start,
                "char_end": m.char_end,
                "value": m.value,
                "value_low": m.value_low,
                "value_high": m.value_high,
                "unit": m.unit,
                "qualifier": m.qualifier,
                "period": m.period,
                "subject": m.subject,
                "period_start": m.period_start,
                "period_end": m.period_end,
                "is_projection": m.is_projection,
                "metric_kind": m.metric_kind,
                "equivalent_of": m.equivalent_of,
            }
        )
    for i, q in enumerate(result.quotes):
        rows["quotes"].append(
            {
                "source_path": source_path,
                "ordinal": i,
                "char_start": q.char_start,
                "char_end": q.char_end,
                "speaker_key": q.speaker_key,
            }
        )
    tagger = tagger_for()
    for t in tagger.document_topics(title, body):
        rows["document_topics"].append(
            {
                "source_path": source_path,
                "topic_id": t.topic_id,
                "matched_in": t.matched_in,
                "title_matches": t.title_matches,
                "body_matches": t.body_matches,
                "matched_text": t.matched_text,
            }
        )
    figures = [(m.char_start, m.char_end, m.subject) for m in result.metrics]
    for i, (start, end, topics) in enumerate(tagger.figure_topics(body, figures)):
        rows["metric_sentences"].append(
            {"source_path": source_path, "ordinal": i, "sentence_start": start, "sentence_end": end}
        )
        for t in topics:
            rows["metric_topics"].append(
                {
                    "source_path": source_path,
                    "ordinal": i,
                    "topic_id": t.topic_id,
                    "matched_on": t.matched_on,
                    "matched_text": t.matched_text,
                }
            )
