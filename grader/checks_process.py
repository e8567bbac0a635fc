"""The pytest child of one lab run, and the only way its results reach the grader.

The run context (administrator URLs) goes in and the results come out through pipes that only the
child holds: no file on disk that learner code could find, read or forge. The child makes itself
non-dumpable, so a process of the same user cannot open its pipes through /proc either. A run
counts only if the child ended as pytest ends normally and said so (an `end` event); everything
else is told apart here: our timeout, our interrupt, a kill from outside, a crash.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from grader import launch, stopped

NORMAL_EXITS = (0, 1, 5)  # pytest: all passed, some failed, nothing collected
CLEANUP_GRACE_S = 30.0  # what an interrupted child gets to drop its databases and stop its workers


@dataclass
class ChildOutcome:
    returncode: int | None = None
    timed_out: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def end(self) -> dict[str, Any] | None:
        return next((e for e in self.events if e.get("event") == "end"), None)

    @property
    def ended_normally(self) -> bool:
        return not self.timed_out and self.returncode in NORMAL_EXITS and self.end is not None

    @property
    def max_points(self) -> float:
        collected = [e for e in self.events if e.get("event") == "collected"]
        return float(collected[-1]["max_points"]) if collected else 0.0

    def describe_end(self) -> str:
        code = self.returncode
        if code is not None and code < 0:
            return f"it was killed by {signal.Signals(-code).name}"
        if code in NORMAL_EXITS:
            return "it ended without reporting its results"
        return {2: "it was interrupted", 3: "pytest had an internal error", 4: "pytest was called wrongly"}.get(
            code if code is not None else -1, f"it exited with code {code}")


def run(args: list[str], context_json: str, log: IO[str], timeout_s: float, cwd: Path) -> ChildOutcome:
    """Start pytest with `args` + the two pipe options (grader.launch), feed it the context, collect its events.

    On KeyboardInterrupt or SystemExit (Ctrl-C, SIGTERM) the child is asked to stop the way pytest
    stops on Ctrl-C, so its clean-up runs; it is killed only if it does not end in CLEANUP_GRACE_S.
    """
    context_read, context_write = os.pipe()
    results_read, results_write = os.pipe()
    outcome = ChildOutcome()
    try:
        process = launch.start_pytest(
            [*args, f"--grader-context=fd:{context_read}", f"--grader-results-fd={results_write}"],
            cwd, log, pass_fds=(context_read, results_write), parent_ends=(context_write, results_read),
        )
    finally:
        os.close(context_read)
        os.close(results_write)
    reader = threading.Thread(target=_read_events, args=(results_read, outcome.events), daemon=True)
    reader.start()
    writer = threading.Thread(target=_write_all, args=(context_write, context_json.encode() + b"\n"), daemon=True)
    writer.start()
    try:
        try:
            outcome.returncode = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            outcome.timed_out = True
            stop(process)
            outcome.returncode = process.returncode
    except BaseException:
        how = stop(process)
        stopped.record(f"the checks of {cwd.name} ({how})")
        raise
    finally:
        reader.join(timeout=5)
    return outcome


def stop(process: launch.ForkedChild | subprocess.Popen[bytes]) -> str:
    """SIGINT first (pytest's own clean stop, which runs the session's clean-up), then SIGKILL."""
    if process.poll() is not None:
        return "already ended"
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + CLEANUP_GRACE_S
    while time.monotonic() < deadline:
        try:
            process.wait(timeout=0.2)
            return "they cleaned up after themselves"
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            break
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return "killed; their databases, leases and sandboxes are removed as leftovers"


def _write_all(fd: int, data: bytes) -> None:
    with contextlib.suppress(OSError), os.fdopen(fd, "wb") as stream:
        stream.write(data)


def _read_events(fd: int, events: list[dict[str, Any]]) -> None:
    """Until the `end` event (or end of file): a forked sibling may hold a copy of the pipe's write end,
    so end of file alone can come late."""
    with os.fdopen(fd, "rb") as stream:
        for line in stream:
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    events.append(event)
                    if event.get("event") == "end":
                        return
