"""Starting a lab's pytest child: a fork of a process that has already imported pytest, the plugin
and the drivers, so the child starts in milliseconds instead of paying a new interpreter's imports
for every lab. It is still a process of its own (its own process group; a crash or a hang there is
explained by the runner), and learner code still runs one level further down, in sandboxes.
GRADER_FORK=0, or a platform without fork, starts `python -m pytest` instead.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import IO

_FORK_LOCK = threading.Lock()  # labs graded side by side fork one at a time
# Only the plugins the arguments name (`-p grader.plugin`): the pytest plugins other packages install
# (schemathesis, hypothesis, anyio) are neither needed nor wanted in a grading run, and importing them
# under pytest's assertion rewriting cost about 2 s of every lab's start.
ONLY_NAMED_PLUGINS = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def preload() -> None:
    """Import what every lab's checks need, once, in the process that forks."""
    import psycopg  # noqa: F401
    import pytest  # noqa: F401
    import redis  # noqa: F401
    from _pytest.config import default_plugins

    import grader.plugin  # noqa: F401

    for name in default_plugins:  # pytest imports its own plugins when a session starts: here, once
        importlib.import_module(f"_pytest.{name}")


def forking() -> bool:
    return hasattr(os, "fork") and os.environ.get("GRADER_FORK", "1") != "0"


class ForkedChild:
    """The part of subprocess.Popen the runner uses, for a forked child."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Woken by the child's exit (a pidfd) where Linux offers one, else polling every 10 ms."""
        deadline = None if timeout is None else time.monotonic() + timeout
        exited = _exit_handle(self.pid)
        try:
            while self.poll() is None:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise subprocess.TimeoutExpired(["pytest"], timeout or 0)
                if exited is None:
                    time.sleep(0.01)
                else:
                    select.select([exited], [], [], 1.0 if left is None else min(left, 1.0))
        finally:
            if exited is not None:
                os.close(exited)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)


def _exit_handle(pid: int) -> int | None:
    """A file descriptor readable once `pid` has exited (Linux ≥ 5.3), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def start_pytest(args: Sequence[str], cwd: Path, log: IO[str], pass_fds: Sequence[int],
                 parent_ends: Sequence[int] = ()) -> ForkedChild | subprocess.Popen[bytes]:
    """pytest with `args` in `cwd`, output to `log`, in its own process group, holding `pass_fds`;
    `parent_ends` (the runner's ends of those pipes) are closed in a forked child."""
    if not forking():
        return subprocess.Popen([sys.executable, "-m", "pytest", *args], stdout=log, stderr=subprocess.STDOUT,
                                cwd=cwd, pass_fds=tuple(pass_fds), start_new_session=True,
                                env={**os.environ, **ONLY_NAMED_PLUGINS})
    preload()
    log.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    with _FORK_LOCK:
        pid = os.fork()
    if pid == 0:
        for fd in parent_ends:
            with contextlib.suppress(OSError):
                os.close(fd)
        _child(list(args), cwd, log.fileno())
    return ForkedChild(pid)


def _child(args: list[str], cwd: Path, log_fd: int) -> None:
    """In the forked child: pytest in-process with its output in the log; never returns."""
    code = 70
    try:
        # what the forking process imported lives as long as the child: the collections pytest runs at
        # its end (several, of every generation) skip it instead of walking every module's objects
        gc.freeze()
        os.setsid()  # its own session and group: the runner stops it, a terminal's Ctrl-C reaches the runner
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, _interrupt)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        os.chdir(cwd)
        os.environ.update(ONLY_NAMED_PLUGINS)
        import pytest

        code = int(pytest.main(args))
    except BaseException as exc:  # anything escaping pytest is reported in the log, as a crash would be
        with contextlib.suppress(Exception):
            print(f"grader: the checks' process failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # pytest then ends the session normally: fixtures and the plugin clean up
