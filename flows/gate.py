"""The validation gate as the flow runs it: the GX suites on the build, and Data Docs swapped in whole."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flows.validate import ValidationReport


def validate_build(build: Path, expectations: Path, *, data_docs_dir: Path | None = None) -> ValidationReport:
    """Validate the build; with data_docs_dir, this validation's Data Docs replace that folder's content.

    In-process on purpose: Great Expectations takes ~10 s to import, paid once per process instead of per run,
    and only by a run that validates (imported here, not when the flow module loads).
    """
    from flows.validate import validate_warehouse

    with tempfile.TemporaryDirectory(prefix="ruralpulse-validate-") as tmp:
        docs = Path(tmp) / "data_docs"
        report = validate_warehouse(build, expectations, data_docs_dir=docs if data_docs_dir else None)
        if data_docs_dir is not None and (docs / "index.html").is_file():
            replace_folder(docs, Path(data_docs_dir))
    return report


def replace_folder(new: Path, target: Path) -> None:
    """Put new in target's place; GX never removes pages of earlier runs, so the old folder goes first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.new")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(new, staged)
    shutil.rmtree(target, ignore_errors=True)
    staged.rename(target)
