"""Determinism: grade every case of a lab N times; a verdict that changes between runs is a defect.

A verdict here is the score and every check's status, per case. Scheduling, hash seeds or timing
that leak into a check show up as a difference between two runs of the same files.
"""

from __future__ import annotations

from pathlib import Path

from grader.labs import Lab
from grader.prove import Verdict, prove
from grader.services.session import ServicePool

Fingerprint = tuple[float, tuple[tuple[str, str, str], ...]]


def fingerprint(verdict: Verdict) -> Fingerprint:
    tests = sorted((t.name, t.visibility, t.status) for t in verdict.result.tests)
    return verdict.result.score, tuple(tests)


def differences(first: Verdict, other: Verdict, run: int) -> list[str]:
    """What changed between the first run of a case and run number `run`, check by check."""
    if fingerprint(first) == fingerprint(other):
        return []
    before = {(t.name, t.visibility): t.status for t in first.result.tests}
    after = {(t.name, t.visibility): t.status for t in other.result.tests}
    changed = [f"{name} ({visibility}): {before.get((name, visibility))} -> {after.get((name, visibility))}"
               for name, visibility in sorted(set(before) | set(after))
               if before.get((name, visibility)) != after.get((name, visibility))]
    score = f"{first.result.score:g} -> {other.result.score:g}"
    return [f"{first.lab} {first.case}: run {run} differs from run 1 (score {score}): " + "; ".join(changed)]


def prove_repeatedly(lab: Lab, pool: ServicePool, root: Path, repeat: int, jobs: int = 1
                     ) -> tuple[list[Verdict], list[str]]:
    """The first run's verdicts, and every change a later run showed."""
    first = prove([lab], pool, root, jobs)
    unstable: list[str] = []
    for run in range(2, repeat + 1):
        for before, again in zip(first, prove([lab], pool, root, jobs), strict=True):
            unstable += differences(before, again, run)
    return first, unstable
