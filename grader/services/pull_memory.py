"""Remembered failed Docker pulls, so a machine without a registry is not told "pulling…" on every run.

A failed pull is kept in `.grader/docker-pulls.json` for RETRY_AFTER_S; until then the image
counts as unavailable at once (with the remembered reason). GRADER_DOCKER_PULL=always retries now.
"""

from __future__ import annotations

import time
from pathlib import Path

from grader.errors import GraderError
from grader.learner import store
from grader.paths import state_dir

RETRY_AFTER_S = 6 * 3600


def _path() -> Path | None:
    try:
        return state_dir() / "docker-pulls.json"
    except GraderError:  # outside a checkout: nothing to remember in
        return None


def remember_failure(image: str, why: str, now: float | None = None) -> None:
    path = _path()
    if path is None:
        return
    data = store.read(path)
    data[image] = {"failed_at": now if now is not None else time.time(), "reason": why}
    store.write(path, data)


def recent_failure(image: str, now: float | None = None) -> str | None:
    """Why the image could not be pulled, if a pull failed less than RETRY_AFTER_S ago."""
    path = _path()
    entry = store.read(path).get(image) if path is not None else None
    if not isinstance(entry, dict):
        return None
    age = (now if now is not None else time.time()) - float(entry.get("failed_at", 0))
    if not 0 <= age < RETRY_AFTER_S:
        return None
    return (f"not on this machine, and pulling it failed {age / 60:.0f} min ago ({entry.get('reason', '')}); "
            f"not retried for {RETRY_AFTER_S // 3600} h (GRADER_DOCKER_PULL=always retries now)")


def forget(image: str) -> None:
    path = _path()
    if path is None:
        return
    data = store.read(path)
    if data.pop(image, None) is not None:
        store.write(path, data)
