"""What this process stopped while unwinding (Ctrl-C, SIGTERM), so the CLI reports exactly that."""

from __future__ import annotations

_stopped: list[str] = []


def record(what: str) -> None:
    _stopped.append(what)


def report() -> list[str]:
    return list(_stopped)
