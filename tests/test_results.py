"""Lab status and exit codes: a grader fault is an error, never a learner failure."""

from __future__ import annotations

from grader.results import CheckResult, LabResult, RunResult


def check(status: str, points: float = 1) -> CheckResult:
    return CheckResult(name="c", status=status, points=points if status == "pass" else 0, max_points=points)  # type: ignore[arg-type]


def test_all_passing_is_exit_0() -> None:
    run = RunResult(labs=[LabResult(id="a", tests=[check("pass"), check("pass", 2)]).finish()])
    assert (run.status, run.exit_code(), run.score, run.max_score) == ("pass", 0, 3, 3)


def test_a_failure_is_exit_1() -> None:
    run = RunResult(labs=[LabResult(id="a", tests=[check("pass"), check("fail")]).finish()])
    assert (run.status, run.exit_code(), run.score, run.max_score) == ("fail", 1, 1, 2)


def test_an_error_outranks_failures_and_is_exit_2() -> None:
    run = RunResult(labs=[LabResult(id="a", tests=[check("fail")]).finish(),
                          LabResult(id="b", tests=[check("error")]).finish()])
    assert (run.status, run.exit_code()) == ("error", 2)


def test_a_lab_without_checks_or_with_a_lab_error_is_an_error() -> None:
    assert LabResult(id="a").finish().status == "error"
    assert LabResult(id="a", message="postgres did not start", tests=[check("pass")]).finish().status == "error"
