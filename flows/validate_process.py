"""Run the validation gate in a child interpreter: `python -m flows.validate_process BUILD SUITES OUT`."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from flows.validate import ValidationReport


def validate_isolated(build: Path, expectations: Path) -> ValidationReport:
    """Validate in a separate interpreter, so nothing of Great Expectations stays loaded or holds the build open."""
    with tempfile.TemporaryDirectory(prefix="ruralpulse-validate-") as tmp:
        out = Path(tmp) / "report.pickle"
        done = subprocess.run(
            [sys.executable, "-m", "flows.validate_process", str(build), str(expectations), str(out)],
            capture_output=True,
            text=True,
        )
        if not out.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise RuntimeError(f"validation could not run (exit {done.returncode}): {' | '.join(detail)}")
        outcome = pickle.loads(out.read_bytes())
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def main(argv: list[str]) -> None:
    from flows.validate import validate_warehouse

    build, suites, out = argv
    try:
        outcome: ValidationReport | BaseException = validate_warehouse(Path(build), Path(suites))
    except Exception as exc:  # noqa: BLE001 - every failure travels to the parent, which raises it
        outcome = RuntimeError(f"validation could not run: {type(exc).__name__}: {exc}")
    Path(out).write_bytes(pickle.dumps(outcome))
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: with GX loaded, DuckDB's bindings report objects GX still holds as leaks there.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
