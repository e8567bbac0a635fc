"""The "next:" line at the end of every check: the next task to fix, or the next lab once this one is done."""

from __future__ import annotations

from pathlib import Path

from grader import labs as lab_index
from grader.errors import GraderError
from grader.learner import tasks
from grader.learner.progress import Progress, task_states
from grader.results import LabResult, RunResult
from grader.spec import CourseSpec


def advice(run: RunResult, progress: Progress, course: CourseSpec, root: Path | None = None,
           task: int | None = None) -> str:
    for lab in run.labs:
        if lab.status != "pass":
            return _within(lab, root)
    if not run.labs:
        return "pick a lab: grader list shows them, grader progress shows what is unlocked"
    last = run.labs[-1]
    if task is not None:
        failing = [t for t, state in sorted(progress.of(last.id).tasks.items()) if state != "pass"]
        if failing:
            return _task_line(last, failing[0], root, file=None)
        return f"task {task} passes; grade the whole lab: grader check {last.id}"
    return next_lab(last.id, progress, course, root)


def _within(lab: LabResult, root: Path | None) -> str:
    if lab.message:
        return (f"the grader could not grade {lab.id} (see the error above; it is not your fault); "
                f"fix that, then run grader check {lab.id} again")
    states = task_states(lab)
    failing = [t for t, state in states.items() if state == "fail"]
    if not failing and any(c.status == "fail" and c.task is None for c in lab.tests):
        return f"fix the checks under \"other checks\" above, then run grader check {lab.id} again"
    if not failing:
        return (f"some checks of {lab.id} could not run (grader errors above, not counted against you); "
                f"run grader check {lab.id} again")
    first = failing[0]
    file = next((c.file for c in lab.tests if c.task == first and c.status == "fail" and c.file), None)
    return _task_line(lab, first, root, file)


def _task_line(lab: LabResult, task: int, root: Path | None, file: str | None) -> str:
    try:
        label = tasks.label(lab_index.load(lab.id, root), task)
    except GraderError:  # the advice line must never break a report
        label = f"task {task}"
    where = f" in labs/{lab.id}/{file}" if file else ""
    return (f"{label}{where}. Grade just it: grader check {lab.id} --task {task}; "
            f"a hint: grader hint {lab.id} {task}; re-grade on every save: grader watch {lab.id}")


def next_lab(done_id: str, progress: Progress, course: CourseSpec, root: Path | None = None) -> str:
    """The first lab after `done_id` in course order that is unlocked and not done (then any earlier one)."""
    order = course.lab_ids()
    start = order.index(done_id) + 1 if done_id in order else 0
    for lab_id in order[start:] + order[:start]:
        if lab_id == done_id or progress.of(lab_id).done or progress.missing_prerequisites(course, lab_id):
            continue
        try:
            title = lab_index.load(lab_id, root).spec.title
        except GraderError:
            title = ""
        name = f"{lab_id} ({title})" if title else lab_id
        return f"{done_id} is done. Next lab: {name}: make lab LAB={lab_id}"
    if all(progress.of(lab_id).done for lab_id in order if lab_id != done_id):
        return f"{done_id} is done, and so is every lab in the course. Well done!"
    return f"{done_id} is done; grader progress shows the labs left and what unlocks them"
