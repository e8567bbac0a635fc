"""Nothing a learner's app started outlives the grading run, Ctrl-C and `kill` included.

Every live app sandbox is registered here. On SIGINT or SIGTERM the sandboxes are killed at once,
before anything else runs — the parent grader gives its checks only a moment after Ctrl-C — and
then the signal takes its usual course (KeyboardInterrupt, or termination).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from types import FrameType
from typing import Protocol


class Killable(Protocol):
    def kill_all(self) -> None: ...


_live: dict[int, Killable] = {}
_installed = False


def register(sandbox: Killable) -> None:
    _install()
    _live[id(sandbox)] = sandbox


def unregister(sandbox: Killable) -> None:
    _live.pop(id(sandbox), None)


def kill_everything() -> None:
    for sandbox in list(_live.values()):
        with contextlib.suppress(Exception):
            sandbox.kill_all()


def _install() -> None:
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    _installed = True
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)

        def handler(number: int, frame: FrameType | None, previous: object = previous) -> None:
            kill_everything()
            if callable(previous):
                previous(number, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(number, signal.SIG_DFL)
                signal.raise_signal(number)

        signal.signal(signum, handler)
