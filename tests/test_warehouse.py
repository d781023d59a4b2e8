"""The publish step on its own."""

from __future__ import annotations

import duckdb

from flows.warehouse import publish


def test_publish_retried_after_the_rename_succeeded_is_a_no_op(tmp_path):
    build, published = tmp_path / "build.duckdb", tmp_path / "out" / "ruralpulse.duckdb"
    duckdb.connect(str(build)).close()
    publish(build, published)
    content = published.read_bytes()
    publish(build, published)  # what a task retry does when only the directory fsync had failed
    assert published.read_bytes() == content and not build.exists()
