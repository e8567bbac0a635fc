"""`grader batch merge`: the reports of `--shard i/n` runs as one class, equal to a single run."""

from __future__ import annotations

from pathlib import Path

from grader.batch import outputs, report
from grader.batch.model import BatchReport
from grader.errors import UsageError


def merge(paths: list[Path]) -> BatchReport:
    if not paths:
        raise UsageError("no shard reports to merge", "give the report.json of every shard")
    shards = [outputs.read(path) for path in paths]
    first = shards[0]
    for path, shard in zip(paths[1:], shards[1:], strict=True):
        if (shard.course, shard.deadline, shard.version) != (first.course, first.deadline, first.version):
            raise UsageError(f"{path} was graded with another course, deadline or report version than {paths[0]}",
                             "merge only the shards of one batch (same course, bundle and --deadline)")
    seen: dict[str, Path] = {}
    for path, shard in zip(paths, shards, strict=True):
        for student in shard.students:
            if student in seen:
                raise UsageError(f"{student} is in both {seen[student]} and {path}",
                                 "merge each shard once (the shards of --shard i/n never overlap)")
            seen[student] = path
    if any(shard.labs != first.labs for shard in shards):
        raise UsageError("the shards considered different labs", "run every shard with the same --labs")
    labs = first.labs
    facts = {lab: fact for shard in shards for lab, fact in shard.lab_facts.items()}
    merged = BatchReport(
        course=first.course, labs=labs, lab_facts=facts, deadline=first.deadline, late_policy=first.late_policy,
        students=list(seen), entries=[entry for shard in shards for entry in shard.entries],
        graded=sum(s.graded for s in shards), cached=sum(s.cached for s in shards),
    )
    return report.finish(merged)
