"""Gradescope's autograder `results.json`, so a course can grade on Gradescope with the same labs.

Only fields from Gradescope's published autograder specification are written. Top level: score,
execution_time (seconds), output, extra_data, tests. Per test: name, number, score, max_score,
status ("passed"/"failed"), output, visibility. Hidden checks get visibility "after_published"
(learners see that they passed or failed once grades are published) and never their details.
The spec has no top-level max_score: Gradescope sums the tests' max_score; ours is in extra_data.

A grader fault is never the learner's lost point: Gradescope has no "error" status, so a check the
grader could not run is written with max_score 0 (it can lose nothing) and an output that says the
grading failed and will be redone; the top-level output says so first. `number` is unique and
sorts in task order: "task.n" ("lab.task.n" when several labs are graded together; "0" for checks
and problems that belong to no task).
"""

from __future__ import annotations

import json
from typing import Any

from grader.render import disclosure
from grader.results import CheckResult, LabResult, RunResult

HIDDEN_VISIBILITY = "after_published"


GRADING_FAILED = ("GRADING FAILED for this check: the grader could not run it (a grader problem, not your "
                  "submission). It carries no points here and will be redone.")
RUN_FAILED = ("GRADING FAILED for part of this submission (a grader problem, not your submission): the checks "
              "marked GRADING FAILED carry no points here and the submission will be regraded.")


def _ordered(lab: LabResult) -> list[CheckResult]:
    """Checks in task order (checks of no task first), public before hidden, otherwise as run."""
    return sorted(lab.tests, key=lambda c: (c.task or 0, c.visibility == "hidden"))


def _output(check: CheckResult) -> str:
    if check.status == "pass":
        return "passed"
    if check.status == "error":
        detail = "" if check.visibility == "hidden" else disclosure.printable(check.message)
        return f"{GRADING_FAILED}\n{detail}".rstrip()
    text = disclosure.message(check)
    tip = disclosure.hint(check)
    return f"{text}\n\nhint: {tip}" if tip else text


def _test(run: RunResult, lab: LabResult, check: CheckResult, number: str) -> dict[str, Any]:
    name = disclosure.label(check)
    errored = check.status == "error"
    return {
        "name": name if len(run.labs) == 1 else f"{lab.id} · {name}",
        "score": 0.0 if errored else check.points,
        "max_score": 0.0 if errored else check.max_points,
        "status": "passed" if check.status == "pass" else "failed",
        "output": _output(check),
        "visibility": HIDDEN_VISIBILITY if check.visibility == "hidden" else "visible",
        "number": number,
    }


def _lab_problem(run: RunResult, lab: LabResult, number: str) -> dict[str, Any]:
    return {
        "name": "grading" if len(run.labs) == 1 else f"{lab.id} · grading",
        "score": 0.0,
        "max_score": 0.0,
        "status": "failed",
        "output": f"{GRADING_FAILED}\n{lab.message or 'the lab produced no checks'}",
        "visibility": "visible",
        "number": number,
    }


def _lab_tests(run: RunResult, position: int, lab: LabResult) -> list[dict[str, Any]]:
    prefix = "" if len(run.labs) == 1 else f"{position}."
    counts: dict[int, int] = {}

    def number(task: int) -> str:
        counts[task] = counts.get(task, 0) + 1
        return f"{prefix}{task}.{counts[task]}"

    tests = []
    if lab.message or not lab.tests:
        tests.append(_lab_problem(run, lab, number(0)))
    tests += [_test(run, lab, check, number(check.task or 0)) for check in _ordered(lab)]
    return tests


def _summary(run: RunResult) -> str:
    lines = [f"{lab.id}: {disclosure.points(lab.score)}/{disclosure.points(lab.max_score)} ({lab.status})"
             for lab in run.labs]
    if run.status == "error":
        lines.insert(0, RUN_FAILED)
    lines += [f"warning: {warning}" for warning in run.warnings]
    if run.course:
        lines.append(f"course: {run.course}")
    return "\n".join(lines) if lines else "no labs were graded"


def as_dict(run: RunResult) -> dict[str, Any]:
    tests = [test for position, lab in enumerate(run.labs, start=1) for test in _lab_tests(run, position, lab)]
    return {
        "score": sum(test["score"] for test in tests),
        "execution_time": round(sum(lab.duration for lab in run.labs)),
        "output": _summary(run),
        "extra_data": {
            "max_score": run.max_score,
            "status": run.status,
            "labs": [{"id": lab.id, "score": lab.score, "max_score": lab.max_score, "status": lab.status}
                     for lab in run.labs],
        },
        "tests": tests,
    }


def render(run: RunResult) -> str:
    return json.dumps(as_dict(run), indent=2)
