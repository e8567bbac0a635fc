"""Grading several labs at once: each lab is still its own forked pytest child with its own
databases; only the waiting is shared. Services are started first, one at a time, so that labs
running side by side find them up; results come back in the order they were asked for."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from grader.errors import ServiceUnavailable

if TYPE_CHECKING:
    from grader.labs import Lab
    from grader.services.session import ServicePool

T = TypeVar("T")
Job = TypeVar("Job")


def default_jobs() -> int:
    """One lab per core: a lab's time is mostly its pytest child and the servers, both CPU-bound."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def warm_up(pool: ServicePool, labs: Sequence[Lab]) -> None:
    """Start every service the labs need before they run side by side (a failure is each lab's error)."""
    for service in dict.fromkeys(s for lab in labs for s in lab.spec.services):
        with contextlib.suppress(ServiceUnavailable):  # remembered by the pool: each lab needing it ends as error
            pool.get(service)


def run_all(jobs: Sequence[Job], grade_one: Callable[[Job], T], workers: int) -> list[T]:
    if workers <= 1 or len(jobs) <= 1:
        return [grade_one(job) for job in jobs]
    from concurrent.futures import ThreadPoolExecutor  # here: the CLI reads default_jobs() at start-up

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade") as executor:
        return list(executor.map(grade_one, jobs))
