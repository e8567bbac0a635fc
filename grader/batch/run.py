"""Grading a class: plan, reuse what the cache holds, grade the rest side by side, build the report.

Grading is `grader.runner.grade` over each staged submission with the instructor's course (and
bundle), services started once for the whole batch (`grader.parallel.warm_up`) and labs graded
`jobs` at a time (`grader.parallel.run_all`). Identical submissions of a lab are graded once. Any
failure while grading one submission becomes that row's error: the batch always finishes.
"""

from __future__ import annotations

import contextlib
import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch import cache as results_cache
from grader.batch import late as late_policy
from grader.batch import plan, report
from grader.batch.model import BatchReport, Entry
from grader.batch.progress import Ticker, no_progress
from grader.batch.roster import Student, safe_name
from grader.batch.similarity import fingerprint, normalised_files
from grader.course_source import Course
from grader.labs import Lab, all_labs
from grader.parallel import run_all, warm_up
from grader.results import LabResult
from grader.runner import Submission, grade
from grader.services.session import ServicePool
from grader.spec import LatePolicy


@dataclass
class Options:
    labs: list[str] | None = None  # None: every lab a student changed from the starter
    deadline: datetime.datetime | None = None
    jobs: int = 1
    regrade: tuple[str, ...] = ()  # "*" regrades everything; else lab ids and student ids
    cache: Path | None = None
    clones: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "grader-batch-clones")
    shard: str | None = None


def _forced(options: Options, student: str, lab: str) -> bool:
    return "*" in options.regrade or student in options.regrade or lab in options.regrade


def _course_labs(course: Course, wanted: list[str] | None) -> list[Lab]:
    from grader.labs import load

    if wanted is None:
        return all_labs(course.root)
    order = {lab.id: position for position, lab in enumerate(all_labs(course.root))}
    return sorted((load(lab_id, course.root) for lab_id in dict.fromkeys(wanted)),
                  key=lambda lab: order.get(lab.id, len(order)))


def _grade_safely(lab: Lab, pool: ServicePool, folder: Path, label: str, course: Course, log_name: str) -> LabResult:
    try:
        return grade(lab, pool, Submission(folder, label), course.root, course, log_name=log_name)
    except Exception as exc:  # one submission's grader failure is its row, never the batch's end
        return LabResult(id=lab.id, title=lab.spec.title,
                         message=f"the grader failed on this submission ({type(exc).__name__}: {exc}); "
                                 "it will be graded again on the next run").finish()


def _policy(course: Course) -> LatePolicy | None:
    from grader.labs import course as course_index

    return course_index(course.root).late_policy


def grade_class(students: list[Student], course: Course, options: Options,
                progress: Callable[[int], contextlib.AbstractContextManager[Ticker]] = no_progress) -> BatchReport:
    labs = _course_labs(course, options.labs)
    policy = _policy(course)
    store = results_cache.ResultCache(options.cache)
    with tempfile.TemporaryDirectory(prefix="grader-batch-") as scratch_name:
        scratch = Path(scratch_name)
        trees = [plan.tree(s, scratch, options.clones, options.deadline, policy) for s in students]
        folders = [plan.lab_folders(t, labs, scratch) for t in trees]
        jobs = [job for t, f in zip(trees, folders, strict=True)
                for job in plan.jobs(t, labs, f, options.labs is not None)]
        versions = {lab.id: results_cache.lab_version(lab, course) for lab in {j.lab.id: j.lab for j in jobs}.values()}
        to_grade: dict[str, plan.Job] = {}
        waiting: dict[str, list[plan.Job]] = {}
        for job in jobs:
            if job.folder is None:
                continue
            job.entry.submission_hash = _hash(job)
            key = results_cache.key(job.entry.submission_hash, versions[job.lab.id])
            prints = fingerprint(normalised_files(job.folder, job.lab.spec.submission))
            job.entry.fingerprint = prints
            cached = None if _forced(options, job.entry.student, job.lab.id) else store.get(key)
            if cached is not None:
                _settle(job.entry, cached, cached=True)
            elif key in to_grade:
                waiting.setdefault(key, []).append(job)
            else:
                to_grade[key] = job
        unique = list(to_grade.items())
        results = _grade_all(unique, course, options.jobs, progress)
        for (key, job), result in zip(unique, results, strict=True):
            store.put(key, result)
            _settle(job.entry, result, cached=False)
            for twin in waiting.get(key, []):
                _settle(twin.entry, result, cached=True)
    entries = [job.entry for job in jobs]
    for entry in entries:
        _apply_policy(entry, policy)
    built = BatchReport(
        course=course.description, labs=[lab.id for lab in labs],
        deadline=options.deadline.isoformat() if options.deadline else None,
        late_policy=policy.model_dump() if policy else None, shard=options.shard,
        students=[s.id for s in students], entries=entries,
        graded=len(unique), cached=sum(e.cached for e in entries),
        lab_facts=report.lab_facts([lab for lab in labs if lab.id in {e.lab for e in entries}]),
    )
    return report.finish(built)


def _hash(job: plan.Job) -> str:
    from grader.batch.layout import submission_hash

    return submission_hash(job.folder, job.lab.spec.submission)


def _grade_all(unique: list[tuple[str, plan.Job]], course: Course, jobs: int,
               progress: Callable[[int], contextlib.AbstractContextManager[Ticker]]) -> list[LabResult]:
    if not unique:
        return []
    labs = list({job.lab.id: job.lab for _, job in unique}.values())
    with ServicePool() as pool, progress(len(unique)) as tick:
        warm_up(pool, labs)

        def one(item: tuple[str, plan.Job]) -> LabResult:
            _, job = item
            assert job.folder is not None
            student = job.entry.student
            try:
                return _grade_safely(job.lab, pool, job.folder, f"{student}'s submission", course,
                                     f"batch-{safe_name(student)}-{job.lab.id}")
            finally:
                tick(f"{student} · {job.lab.id}")

        return run_all(unique, one, jobs)


def _settle(entry: Entry, result: LabResult, cached: bool) -> None:
    entry.result = result.model_copy(deep=True)
    entry.cached = cached
    entry.status = result.status
    entry.raw_points = result.score
    entry.max_points = result.max_score
    entry.reason = report.reason(result)


def _apply_policy(entry: Entry, policy: LatePolicy | None) -> None:
    entry.deduction_percent = late_policy.deduction_percent(policy, entry.student, entry.late_days)
    entry.points = late_policy.after_policy(entry.raw_points, entry.deduction_percent)
