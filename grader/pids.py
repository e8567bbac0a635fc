"""Whether a process still exists: leftovers (per-run databases, warm-service state files) name the
pid of the process that made them, and are cleaned up only once that process is gone."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """True while a process with this pid exists, also one we are not allowed to signal."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
