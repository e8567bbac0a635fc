"""Gradescope's autograder `results.json`, so a course can grade on Gradescope with the same labs.

Only fields from Gradescope's published autograder specification are written. Top level: score,
execution_time (seconds), output, extra_data, tests. Per test: name, number, score, max_score,
status ("passed"/"failed"), output, visibility. Hidden checks get visibility "after_published"
(learners see that they passed or failed once grades are published) and never their details.
The spec has no top-level max_score: Gradescope sums the tests' max_score; ours is in extra_data.
"""

from __future__ import annotations

import json
from typing import Any

from grader.render import disclosure
from grader.results import CheckResult, LabResult, RunResult

HIDDEN_VISIBILITY = "after_published"


def _number(run: RunResult, lab_position: int, check: CheckResult) -> str | None:
    """The task number ("2"), or "lab.task" ("1.2") when several labs are graded together."""
    if check.task is None:
        return None
    return str(check.task) if len(run.labs) == 1 else f"{lab_position}.{check.task}"


def _output(check: CheckResult) -> str:
    if check.status == "pass":
        return "passed"
    text = disclosure.message(check)
    tip = disclosure.hint(check)
    return f"{text}\n\nhint: {tip}" if tip else text


def _test(run: RunResult, position: int, lab: LabResult, check: CheckResult) -> dict[str, Any]:
    name = disclosure.label(check)
    test: dict[str, Any] = {
        "name": name if len(run.labs) == 1 else f"{lab.id} · {name}",
        "score": check.points,
        "max_score": check.max_points,
        "status": "passed" if check.status == "pass" else "failed",
        "output": _output(check),
        "visibility": HIDDEN_VISIBILITY if check.visibility == "hidden" else "visible",
    }
    number = _number(run, position, check)
    if number is not None:
        test["number"] = number
    return test


def _lab_problem(lab: LabResult) -> dict[str, Any]:
    return {
        "name": f"{lab.id} · grading",
        "score": 0.0,
        "max_score": 0.0,
        "status": "failed",
        "output": f"{lab.message or 'the lab produced no checks'}\n"
                  "(a grader problem, not a problem with your submission: ask for a regrade)",
        "visibility": "visible",
    }


def _summary(run: RunResult) -> str:
    lines = [f"{lab.id}: {disclosure.points(lab.score)}/{disclosure.points(lab.max_score)} ({lab.status})"
             for lab in run.labs]
    return "\n".join(lines) if lines else "no labs were graded"


def as_dict(run: RunResult) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for position, lab in enumerate(run.labs, start=1):
        tests.extend(_test(run, position, lab, check) for check in lab.tests)
        if lab.message or not lab.tests:
            tests.append(_lab_problem(lab))
    return {
        "score": run.score,
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
