"""Where the warm grader listens and how a command reaches it (standard library only: the client
side runs before anything heavy is imported)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from grader import pids

# Commands the warm grader runs. Interactive ones (shell, watch, start) stay in the terminal's own
# process, where job control and the terminal's signals work; `services` manages the warm grader itself.
SERVED = {"check", "list", "show", "hint", "progress", "dev", "--version"}


def socket_path(state: Path) -> Path:
    return state / "grader.sock"


def info_path(state: Path) -> Path:
    return state / "grader-server.json"


def code_fingerprint() -> str:
    """Changes whenever a file of the grader package changes: a warm grader never runs stale code."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\n".encode())
    return digest.hexdigest()[:16]


def encode(message: dict[str, object]) -> bytes:
    return json.dumps(message).encode() + b"\n"


def read_info(state: Path) -> dict[str, object] | None:
    try:
        info = json.loads(info_path(state).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    pid = int(info.get("pid", 0))
    return info if pid > 0 and pids.alive(pid) else None

