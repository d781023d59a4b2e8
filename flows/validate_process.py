"""Run the validation gate in a child interpreter: `python -m flows.validate_process BUILD SUITES OUT [DOCS]`."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flows.validate import ValidationReport


def validate_isolated(build: Path, expectations: Path, *, data_docs_dir: Path | None = None) -> ValidationReport:
    """Validate in a separate interpreter, so nothing of Great Expectations stays loaded or holds the build open.

    With data_docs_dir, GX Data Docs of this validation replace that folder's content (only when they were built).
    """
    with tempfile.TemporaryDirectory(prefix="ruralpulse-validate-") as tmp:
        out = Path(tmp) / "report.pickle"
        docs = Path(tmp) / "data_docs"
        argv = [sys.executable, "-m", "flows.validate_process", str(build), str(expectations), str(out)]
        done = subprocess.run(argv + ([str(docs)] if data_docs_dir else []), capture_output=True, text=True)
        if not out.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise RuntimeError(f"validation could not run (exit {done.returncode}): {' | '.join(detail)}")
        outcome = pickle.loads(out.read_bytes())
        if data_docs_dir is not None and (docs / "index.html").is_file():
            replace_folder(docs, Path(data_docs_dir))
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def replace_folder(new: Path, target: Path) -> None:
    """Put new in target's place; GX never removes pages of earlier runs, so the old folder goes first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.new")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(new, staged)
    shutil.rmtree(target, ignore_errors=True)
    staged.rename(target)


def main(argv: list[str]) -> None:
    from flows.validate import validate_warehouse

    build, suites, out, *docs = argv
    try:
        outcome: ValidationReport | BaseException = validate_warehouse(
            Path(build), Path(suites), data_docs_dir=Path(docs[0]) if docs else None
        )
    except Exception as exc:  # noqa: BLE001 - every failure travels to the parent, which raises it
        outcome = RuntimeError(f"validation could not run: {type(exc).__name__}: {exc}")
    Path(out).write_bytes(pickle.dumps(outcome))
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: with GX loaded, DuckDB's bindings report objects GX still holds as leaks there.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
