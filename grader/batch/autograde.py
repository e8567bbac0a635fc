"""One submission graded for Gradescope's autograder (`run_autograder` calls `grader autograde`): the
same batch grading for a class of one, every lab of the packaged course, written as results.json."""

from __future__ import annotations

from pathlib import Path

from grader.batch.roster import Student
from grader.batch.run import Options, grade_class
from grader.course_source import Course
from grader.labs import all_labs
from grader.render import gradescope
from grader.results import CheckResult, LabResult, RunResult


def autograde(submission: Path, course: Course, output: Path, jobs: int) -> RunResult:
    labs = [lab.id for lab in all_labs(course.root)]
    report = grade_class([Student("submission", str(submission.resolve()), False)], course,
                         Options(labs=labs, jobs=jobs, cache=None))
    results = []
    for entry in report.entries:
        if entry.result is not None:
            results.append(entry.result)
        else:  # no files for this lab: the learner's to fix, said plainly
            results.append(LabResult(id=entry.lab, tests=[CheckResult(
                name="submission files", status="fail", message=entry.reason)]).finish())
    run = RunResult(labs=results, course=course.description)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(gradescope.render(run) + "\n", encoding="utf-8")
    return run
