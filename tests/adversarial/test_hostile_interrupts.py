"""8. Interrupts: Ctrl-C or SIGTERM in the middle of grading a slow submission runs every clean-up
(the checks' own included): the conftest's invariants then find no run database, role, session,
lease or learner process left, and the CLI names what it stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.sandbox import accounts
from tests.adversarial.conftest import Grade, Servers, sandbox_processes
from tests.adversarial.course import submission

SLOW = ("import time\ndef double(x):\n    time.sleep(1.5)\n    return 2 * x\n"
        "def remember(r, k, v):\n    time.sleep(1.5)\n    r.set(k, v)\n"
        "def count_items(conn):\n    time.sleep(1.5)\n    return 5\n")


def _as_a_terminal_starts_it() -> None:
    """A shell starts a background job (`make test &`) with SIGINT ignored, and children inherit that;
    a terminal's foreground command has the default disposition, which is the case under test."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_leaves_nothing_behind(grade_hostile: Grade, hostile_root: Path, servers: Servers,
                                                  signum: signal.Signals) -> None:
    folder = submission(hostile_root, "py-target", {"solution.py": SLOW})
    grader = Path(sys.executable).with_name("grader")
    process = subprocess.Popen(
        [str(grader), "check", "py-target", "--submission", str(folder), "--format", "json"],
        cwd=hostile_root, env={**os.environ, "GRADER_ROOT": str(hostile_root),  # the servers the invariants read
                               "GRADER_POSTGRES_URL": servers.postgres, "GRADER_REDIS_URL": servers.redis},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_a_terminal_starts_it,
    )
    deadline = time.monotonic() + (60 if accounts.privileged() else 8)  # without root: no uid to watch
    while not sandbox_processes() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)  # until the learner's worker runs
    time.sleep(1)  # a slow call under way
    assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signum)  # what a terminal does on Ctrl-C: the whole foreground group
    _, stderr = process.communicate(timeout=90)
    assert process.returncode == 128 + signum, stderr
    if signum == signal.SIGINT:
        assert "stopped: the checks of py-target" in stderr, stderr
    # grade_hostile's teardown: no database, role, session, lease or learner process left
