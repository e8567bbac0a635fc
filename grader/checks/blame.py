"""Whose fault a check's unexpected exception is: the grader's (its servers, its own code) or the
submission's (its data broke an assumption of the check: an IndexError after a TRUNCATE).

A check that raised something else than an assertion, after it ran the learner's code, is judged
the learner's: every lab proves that its reference passes the same checks, so the difference that
made the check crash is the submission. Lost connections and GraderFaults stay the grader's.
"""

from __future__ import annotations

from grader.checks.problems import GraderFault
from grader.results import Status


def _infrastructure() -> tuple[type[BaseException], ...]:
    kinds: list[type[BaseException]] = [GraderFault, OSError, MemoryError]
    try:
        import psycopg

        kinds += [psycopg.OperationalError, psycopg.InterfaceError]
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    try:
        import redis

        kinds += [redis.ConnectionError, redis.TimeoutError]
    except ImportError:  # pragma: no cover
        pass
    try:
        import pymongo.errors

        kinds += [pymongo.errors.ConnectionFailure]
    except ImportError:  # pragma: no cover
        pass
    return tuple(kinds)


def status_of(exc: BaseException, learner_ran: bool) -> Status:
    if isinstance(exc, AssertionError):
        return "fail"
    if isinstance(exc, _infrastructure()) or not learner_ran:
        return "error"
    return "fail"


def crash_message(exc: BaseException, hidden: bool) -> str:
    """On hidden data only the exception's kind: its text may quote a hidden value."""
    what = type(exc).__name__ if hidden else f"{type(exc).__name__}: {exc}"
    return (f"this check could not finish on what your submission produced or left behind ({what}); "
            "compare your result's shape with what the task asks for")
