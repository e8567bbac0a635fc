"""The late policy (course.yaml `late_policy:`): late days from commit times, and the points after it.

A student's deadline is the batch's `--deadline` plus their extension (course.yaml `extensions:` plus
the roster's extension column). Commits up to `accept_days` after it are graded and are late by the
days started since; later commits are not graded. The deduction is a percentage of the points
earned, `deduction_per_day` per late day, capped at `max_deduction`; exempt students lose nothing.
The raw mark is always kept beside the penalised one.
"""

from __future__ import annotations

import datetime
import math

from grader.errors import UsageError
from grader.spec import LatePolicy

DAY = datetime.timedelta(days=1)


def parse_deadline(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--deadline {text}: not an ISO 8601 date and time",
                         "write e.g. 2025-03-01T23:59:00+01:00 (with the UTC offset)") from None
    if moment.tzinfo is None:
        raise UsageError(f"--deadline {text}: no UTC offset, so the moment is ambiguous",
                         "add the offset, e.g. 2025-03-01T23:59:00+01:00 or 2025-03-01T22:59:00Z")
    return moment


def extension_days(policy: LatePolicy | None, student: str, roster_days: float) -> float:
    return roster_days + (policy.extensions.get(student, 0.0) if policy else 0.0)


def student_deadline(deadline: datetime.datetime, policy: LatePolicy | None, student: str,
                     roster_days: float) -> datetime.datetime:
    return deadline + extension_days(policy, student, roster_days) * DAY


def cut_off(deadline: datetime.datetime, policy: LatePolicy | None) -> datetime.datetime:
    """The last moment a commit is graded, for a student whose deadline is `deadline`."""
    return deadline + (policy.accept_days if policy else 0.0) * DAY


def late_days(commit_time: datetime.datetime, deadline: datetime.datetime) -> int:
    """Days started since the deadline (0 when on time)."""
    late = (commit_time - deadline) / DAY
    return math.ceil(late) if late > 0 else 0


def deduction_percent(policy: LatePolicy | None, student: str, days: int) -> float:
    if policy is None or days <= 0 or student in policy.exempt:
        return 0.0
    return min(policy.max_deduction, policy.deduction_per_day * days)


def after_policy(raw_points: float, percent: float) -> float:
    return round(raw_points * (1 - percent / 100), 4)
