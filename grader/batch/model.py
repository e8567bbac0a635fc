"""The batch report: one entry per student and lab, everything the outputs are made from.

It is written as JSON (`--json`), and `grader batch merge` reads shards' reports back, so every
output (gradebook, feedback, item analysis, similar submissions, HTML) is derived from this model
alone and a merged class equals a class graded in one run.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from grader.results import LabResult

REPORT_VERSION = 1
EntryStatus = Literal["pass", "fail", "error", "missing"]


class Fingerprint(BaseModel):
    """A submission's normalised files (grader.batch.similarity): exact digest and a MinHash signature."""

    digest: str
    minhash: list[int] = Field(default_factory=list)


class Commit(BaseModel):
    sha: str
    time: str  # ISO 8601, UTC (the commit time git records)
    subject: str = ""


class Entry(BaseModel):
    student: str
    lab: str
    status: EntryStatus
    reason: str = ""
    raw_points: float = 0.0
    max_points: float = 0.0
    late_days: int = 0
    deduction_percent: float = 0.0
    points: float = 0.0  # after the late policy
    commit: Commit | None = None
    not_graded_commits: list[Commit] = Field(default_factory=list, description="after the deadline's cut")
    submission_hash: str = ""
    cached: bool = False
    fingerprint: Fingerprint | None = None
    result: LabResult | None = None


class SimilarPair(BaseModel):
    lab: str
    students: tuple[str, str]
    kind: Literal["identical", "near-identical"]
    similarity: float  # estimated Jaccard of normalised token shingles
    note: str = ""


class Item(BaseModel):
    """One check across the class: how many failed it and the feedback they got most often."""

    lab: str
    task: int | None
    check: str
    visibility: str
    graded: int
    failed: int
    errors: int
    common_feedback: str = ""
    common_count: int = 0

    @property
    def failed_share(self) -> float:
        return self.failed / self.graded if self.graded else 0.0


class LabFacts(BaseModel):
    """Per lab: fingerprints of the starter and the reference (similar pairs that equal them are noted)."""

    title: str = ""
    starter: str = ""
    reference: str = ""


class BatchReport(BaseModel):
    version: int = REPORT_VERSION
    course: str = ""
    labs: list[str] = Field(default_factory=list, description="the labs considered, in course order")
    lab_facts: dict[str, LabFacts] = Field(default_factory=dict)
    deadline: str | None = None
    late_policy: dict[str, object] | None = None
    shard: str | None = None
    students: list[str] = Field(default_factory=list)
    entries: list[Entry] = Field(default_factory=list)
    graded: int = 0
    cached: int = 0
    similar: list[SimilarPair] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)

    def entry(self, student: str, lab: str) -> Entry | None:
        return next((e for e in self.entries if e.student == student and e.lab == lab), None)

    def graded_labs(self) -> list[str]:
        """The labs that have rows, in course order."""
        present = {e.lab for e in self.entries}
        return [lab for lab in self.labs if lab in present]
