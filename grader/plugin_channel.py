"""The pytest child's side of checks_process.py: the context read from a pipe, events written to one.

Also the child's own protection: it becomes non-dumpable (a process of the same user can no longer
open its pipes or read its memory through /proc) and treats SIGTERM like Ctrl-C, so a stopped run
still drops its databases and stops its workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
from pathlib import Path
from types import FrameType
from typing import Any

from grader.context import RunContext

PR_SET_DUMPABLE = 4


def read_context(value: str) -> RunContext:
    """`fd:N` (a pipe from the runner) or a path (a context file written by hand, e.g. in a test)."""
    if value.startswith("fd:"):  # one line: a forked sibling may hold the write end, so no end of file
        with os.fdopen(int(value[3:]), "rb") as stream:
            return RunContext.model_validate_json(stream.readline())
    return RunContext.model_validate_json(Path(value).read_text())


def hide_process() -> None:
    """Make this process non-dumpable (Linux): its /proc fd, environ and memory become root's only."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: nothing to do
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # pytest then ends the session and runs pytest_sessionfinish


def stop_cleanly_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, _interrupt)


class Channel:
    """JSON lines to the runner; without a pipe (a hand-run pytest), events go nowhere."""

    def __init__(self, fd: int | None) -> None:
        self._stream = os.fdopen(fd, "w", buffering=1) if fd is not None else None

    def send(self, event: str, **data: Any) -> None:
        if self._stream is not None:
            self._stream.write(json.dumps({"event": event, **data}) + "\n")
            self._stream.flush()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
