"""One results model for every renderer: run → labs → checks.

A grader fault is status `error` and is never counted as the learner's failure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["pass", "fail", "error"]
Visibility = Literal["public", "hidden"]
SCHEMA_VERSION = 1


class CheckResult(BaseModel):
    name: str
    task: int | None = None
    status: Status
    points: float = 0.0
    max_points: float = 0.0
    message: str = ""
    hint: str = ""
    visibility: Visibility = "public"
    duration: float = 0.0
    file: str | None = Field(default=None, description="the submission file the check is about, if known")


def worst(statuses: list[Status]) -> Status:
    if "error" in statuses:
        return "error"
    if "fail" in statuses:
        return "fail"
    return "pass"


class LabResult(BaseModel):
    id: str
    title: str = ""
    status: Status = "pass"
    message: str = Field(default="", description="a lab-level problem, e.g. a service that did not start")
    services: list[str] = Field(default_factory=list)
    tests: list[CheckResult] = Field(default_factory=list)
    duration: float = 0.0

    @property
    def score(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_points for t in self.tests)

    def finish(self) -> LabResult:
        """Derive the lab status from its checks (a lab with no checks, or a lab error, is an error)."""
        statuses: list[Status] = [t.status for t in self.tests]
        if self.message or not self.tests:
            statuses.append("error")
        self.status = worst(statuses)
        return self


class RunResult(BaseModel):
    labs: list[LabResult] = Field(default_factory=list)
    course: str = Field(default="", description="where the trusted course came from (grader.course_source)")
    warnings: list[str] = Field(default_factory=list, description="noticed, never graded: e.g. files a PR "
                                "changed outside the submission")

    @property
    def score(self) -> float:
        return sum(lab.score for lab in self.labs)

    @property
    def max_score(self) -> float:
        return sum(lab.max_score for lab in self.labs)

    @property
    def status(self) -> Status:
        return worst([lab.status for lab in self.labs])

    def exit_code(self) -> int:
        """0 all passed, 1 a check failed, 2 the grader could not grade something."""
        return {"pass": 0, "fail": 1, "error": 2}[self.status]
