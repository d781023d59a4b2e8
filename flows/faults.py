"""Deterministic crash points: a test seam for proving that a run killed anywhere loses and corrupts nothing.

Set `RURALPULSE_CRASH_AT=<point>` and the process running the flow kills itself with SIGKILL when it reaches
that point, exactly like `kill -9` or the OOM killer would: no exception handler, `finally` or exit handler
runs. Points: ingest, extract, extract-batch (after the first extracted batch), transform, validate, publish,
publish-rename (build fsynced, rename not yet done). Unset, a crash point costs one dictionary lookup.
Not for production use.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "RURALPULSE_CRASH_AT"
POINTS = ("ingest", "extract", "extract-batch", "transform", "validate", "publish", "publish-rename")


def crash_point(stage: str) -> None:
    """Kill this process with SIGKILL when RURALPULSE_CRASH_AT names this stage; otherwise do nothing."""
    if os.environ.get(CRASH_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
