"""What a report that is shared (CI logs, PR comments, Gradescope, JUnit) may say about one check.

Hidden checks run the submission on data the learner cannot see. Their messages are written not to
quote hidden rows, but a shared report goes further: it counts hidden checks and says whether they
passed, never what they found. The terminal report on the learner's own machine is not bound by this.
"""

from __future__ import annotations

import re

from grader.results import CheckResult, RunResult

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

HIDDEN_FAILED = (
    "a check on hidden data failed; its details are not shown.\n"
    "Hidden checks run your submission on a second dataset you cannot see: make sure your answer does "
    "not depend on the sample data (hard-coded ids or values, an order that holds only by chance)."
)
HIDDEN_ERROR = "the grader could not run this hidden check; it does not count against you."
ERROR_NOTE = "the grader could not run this check; it does not count against you."


def points(value: float) -> str:
    """Points as a person writes them: 2, 1.5 (not 2.0)."""
    return f"{value:g}"


def label(check: CheckResult) -> str:
    return f"task {check.task}: {check.name}" if check.task is not None else check.name


def printable(text: str) -> str:
    """Control characters (from learner output) replaced: they break XML and confuse Markdown."""
    return _CONTROL.sub("\ufffd", text)


def message(check: CheckResult) -> str:
    """The feedback a shared report shows: full for public checks, a fixed text for hidden ones."""
    return printable(_message(check))


def _message(check: CheckResult) -> str:
    if check.status == "pass":
        return ""
    if check.visibility == "hidden":
        return HIDDEN_FAILED if check.status == "fail" else HIDDEN_ERROR
    if check.status == "error":
        return f"{ERROR_NOTE}\n{check.message}".rstrip()
    return check.message


def hint(check: CheckResult) -> str:
    """Hints come from lab.yaml, which learners can read, so they are shown for hidden checks too."""
    return check.hint if check.status == "fail" else ""


def redacted(run: RunResult) -> RunResult:
    """A copy of the run whose hidden checks say only what a shared report may say (for CI logs)."""
    copy = run.model_copy(deep=True)
    for lab in copy.labs:
        for check in lab.tests:
            if check.visibility == "hidden" and check.status != "pass":
                check.message = _message(check)
    return copy
