"""What a report adds to its entries: a reason per row, and over the class the item analysis, the
similar pairs and the lab facts. Used by a batch run and by `grader batch merge` alike."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from grader.batch import similarity
from grader.batch.model import BatchReport, Item, LabFacts
from grader.labs import Lab
from grader.results import LabResult


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def reason(result: LabResult) -> str:
    """One line for the gradebook: why the row is not full marks."""
    if result.status == "error":
        if result.message:
            return f"grader error: {_first_line(result.message)}"
        errored = next(c for c in result.tests if c.status == "error")
        return f"grader error in '{errored.name}': {_first_line(errored.message)}"
    failed = [c for c in result.tests if c.status == "fail"]
    if not failed:
        return ""
    tasks = sorted({c.task for c in failed if c.task is not None})
    where = f" (tasks {', '.join(map(str, tasks))})" if tasks else ""
    first = next((c for c in failed if c.visibility == "public"), failed[0])
    said = _first_line(first.message) if first.visibility == "public" else "a hidden check failed"
    return f"{len(failed)} of {len(result.tests)} checks failed{where}; first: {said}"


def lab_facts(labs: list[Lab]) -> dict[str, LabFacts]:
    facts = {}
    for lab in labs:
        starter = similarity.fingerprint(similarity.normalised_files(lab.path, lab.spec.submission))
        reference = similarity.fingerprint(similarity.normalised_files(lab.solution_dir, lab.spec.submission)
                                           if lab.solution_dir.is_dir() else "")
        facts[lab.id] = LabFacts(title=lab.spec.title, starter=starter.digest if starter else "",
                                 reference=reference.digest if reference else "")
    return facts


@dataclass
class _Tally:
    task: int | None
    visibility: str
    graded: int = 0
    failed: int = 0
    errors: int = 0
    feedback: Counter[str] = field(default_factory=Counter)


def items(built: BatchReport) -> list[Item]:
    """Per check across the class; hardest first within each lab (labs in course order)."""
    tallies: dict[tuple[str, str], _Tally] = {}
    for entry in built.entries:
        if entry.result is None:
            continue
        for check in entry.result.tests:
            tally = tallies.setdefault((entry.lab, check.name), _Tally(check.task, check.visibility))
            tally.graded += 1
            if check.status == "fail":
                tally.failed += 1
                tally.feedback[_first_line(check.message) or "(no message)"] += 1
            elif check.status == "error":
                tally.errors += 1
    order = {lab: position for position, lab in enumerate(built.labs)}
    found = []
    for (lab, name), tally in tallies.items():
        common = sorted(tally.feedback.items(), key=lambda kv: (-kv[1], kv[0]))[:1]
        found.append(Item(lab=lab, task=tally.task, check=name, visibility=tally.visibility, graded=tally.graded,
                          failed=tally.failed, errors=tally.errors,
                          common_feedback=common[0][0] if common else "", common_count=common[0][1] if common else 0))
    return sorted(found, key=lambda i: (order.get(i.lab, len(order)), -i.failed, i.task or 0, i.check))


def finish(built: BatchReport) -> BatchReport:
    """Entries in (student, course order); lab maxima on rows not graded; items and similar pairs."""
    order = {lab: position for position, lab in enumerate(built.labs)}
    built.entries.sort(key=lambda e: (e.student, order.get(e.lab, len(order))))
    built.students = sorted(set(built.students))
    maxima: dict[str, float] = {}
    for entry in built.entries:
        if entry.result is not None and entry.result.status != "error":
            maxima[entry.lab] = max(maxima.get(entry.lab, 0.0), entry.max_points)
    for entry in built.entries:
        if entry.result is None:
            entry.max_points = maxima.get(entry.lab, 0.0)
    built.items = items(built)
    built.similar = []
    for lab in built.labs:
        prints = {e.student: e.fingerprint for e in built.entries if e.lab == lab and e.fingerprint is not None}
        facts = built.lab_facts.get(lab, LabFacts())
        built.similar += similarity.pairs(lab, prints, facts.starter, facts.reference)
    return built
