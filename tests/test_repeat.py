"""Determinism: the same files graded twice give the same verdicts, check by check.

`grader dev check --repeat N` does this for any lab; here it runs with N = 2 for the labs where
scheduling or randomness could leak into a verdict (concurrent transfers, SCAN over a hash table,
scripts raced against each other and an emptied script cache, sessions blocking each other). The whole
course graded three times (`grader dev check --all --repeat 3`) gave identical verdicts.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from grader import labs
from grader.parallel import default_jobs
from grader.prove import Verdict
from grader.repeat import differences, prove_repeatedly
from grader.results import CheckResult, LabResult
from grader.services.session import ServicePool

ROOT = Path(__file__).resolve().parent.parent
SCHEDULING_MATTERS = ["sql-transactions", "redis-data-structures", "redis-lua-atomic", "pg-locks-monitoring"]
# Seen to change between runs and not yet fixed: reported as a warning on every run, never passed over
# silently; any other change fails. Empty: the FOR SHARE gate (grader/checks/ledger.py) made the
# share-lock-then-update deadlock certain, so sql-transactions no longer varies.
KNOWN_UNSTABLE: tuple[str, ...] = ()


def _verdict(*statuses: str) -> Verdict:
    tests = [CheckResult(name=f"check {i}", task=1, status=s, points=1.0 if s == "pass" else 0.0,  # type: ignore[arg-type]
                         max_points=1.0, visibility="public") for i, s in enumerate(statuses)]
    result = LabResult(id="lab", title="Lab", tests=tests)
    return Verdict("lab", "wrong/x", False, result.finish())


def test_a_changed_check_is_reported_by_name() -> None:
    first, second = _verdict("pass", "fail"), _verdict("pass", "pass")
    assert differences(first, _verdict("pass", "fail"), 2) == []
    changed = differences(first, second, 2)
    assert len(changed) == 1 and "check 1 (public): fail -> pass" in changed[0] and "run 2" in changed[0]


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", SCHEDULING_MATTERS)
def test_verdicts_do_not_change_between_runs(lab_id: str, pool: ServicePool) -> None:
    _, unstable = prove_repeatedly(labs.load(lab_id, ROOT), pool, ROOT, repeat=2, jobs=default_jobs())  # under load too
    known = [line for line in unstable if line.startswith(KNOWN_UNSTABLE)]
    if known:
        warnings.warn("known unstable verdict, still open (issue #18): " + "; ".join(known), stacklevel=1)
    unexplained = [line for line in unstable if not line.startswith(KNOWN_UNSTABLE)]
    assert not unexplained, "\n".join(unexplained)
