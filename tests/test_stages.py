"""The ingest stage as a plain function: parsing spread over worker processes gives the same plan as one process."""

from __future__ import annotations

import pyarrow.parquet as pq

from flows.stages import PARALLEL_PARSE_MIN_FILES, ingest_source


def write_source(folder, files: int) -> None:
    """Enough small files of every kind, including bad ones, to send parsing to the process pool."""
    folder.mkdir()
    for i in range(files):
        if i % 50 == 7:
            (folder / f"doc-{i:04d}.txt").write_bytes(bytes(range(256)) * 4)
        elif i % 3 == 0:
            (folder / f"doc-{i:04d}.html").write_text(
                f"<html><head><title>Item {i}</title></head><body><article><p>Village {i} sold {i * 3} tonnes "
                f"of tea to buyers in Hunan last year, officials said.</p></article></body></html>",
                encoding="utf-8",
            )
        else:
            (folder / f"doc-{i:04d}.txt").write_text(
                f"title: Item {i}\n\nThe county built {i + 2} bridges in 2023, said Li Wei.\n", encoding="utf-8"
            )


def plan_rows(plan) -> dict:
    return {
        "counts": (plan.new, plan.changed, plan.unchanged, plan.removed, plan.rejected),
        "current": pq.read_table(plan.current_documents).to_pylist(),
        "rejections": pq.read_table(plan.rejections).to_pylist(),
        "files": pq.read_table(plan.source_files).to_pylist(),
        "documents": sorted(
            (row["source_path"], row["body"], row["content_sha256"])
            for batch in plan.batches
            for row in pq.read_table(batch).to_pylist()
        ),
    }


def test_parallel_parsing_gives_the_same_plan(tmp_path):
    source = tmp_path / "source"
    write_source(source, PARALLEL_PARSE_MIN_FILES + 40)
    options = {"known_files": {}, "known_rejections": set(), "extractor_version": "v", "full_refresh": False}
    one = ingest_source(source, tmp_path / "one", {}, batches=4, max_bytes=10**6, workers=1, **options)
    two = ingest_source(source, tmp_path / "two", {}, batches=4, max_bytes=10**6, workers=2, **options)
    serial, parallel = plan_rows(one), plan_rows(two)
    assert serial == parallel
    assert serial["counts"][0] > PARALLEL_PARSE_MIN_FILES - 10 and serial["counts"][4] == 5


def test_extraction_output_does_not_depend_on_row_groups(tmp_path, monkeypatch):
    """A batch is written a row group at a time (bounded memory); the files hold the same rows either way."""
    import flows.batches

    source = tmp_path / "source"
    write_source(source, 30)
    options = {"known_files": {}, "known_rejections": set(), "extractor_version": "v", "full_refresh": False}
    plan = ingest_source(source, tmp_path / "scratch", {}, batches=1, max_bytes=10**6, **options)

    def extracted(per_group: int) -> tuple[dict, dict, int]:
        monkeypatch.setattr(flows.batches, "DOCUMENTS_PER_ROW_GROUP", per_group)
        result = flows.batches.extract_batch_file(plan.batches[0])
        rows = {kind: pq.read_table(path).to_pylist() for kind, path in result.outputs.items()}
        return result.counts, rows, pq.ParquetFile(result.outputs["metrics"]).num_row_groups

    small_counts, small_rows, small_groups = extracted(4)
    whole_counts, whole_rows, whole_groups = extracted(1000)
    assert small_counts == whole_counts and small_rows == whole_rows
    assert whole_counts["metrics"] > 20
    assert (small_groups, whole_groups) == (8, 1)  # 30 documents, a rejected one among them: 29 in groups of 4
