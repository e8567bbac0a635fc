"""What a grading run hands to the pytest plugin in the child process: paths, URLs, limits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from grader.spec import AppSpec, Limits


class RunContext(BaseModel):
    lab_id: str
    lab_dir: str
    submission_dir: str
    reference_dir: str | None = Field(description="the lab's .meta/solution, when the author copy is present")
    include_hidden: bool
    services: dict[str, str] = Field(description="service -> administrator URL, for the grader's side only")
    dataset: str | None
    root: str
    limits: Limits
    hints: dict[int, str] = Field(default_factory=dict, description="task -> the first level of its hint")
    task: int | None = Field(default=None, description="grade only this task's checks (public and hidden)")
    requires_features: list[str] = Field(default_factory=list, description="lab.yaml requires_features")
    app: AppSpec | None = Field(default=None, description="lab.yaml app: the learner's web service")
    results_path: str = Field(default="", description="also write results here (a hand-made context); the "
                              "runner reads them from a pipe instead")
    dataset_secret: str | None = Field(default=None, description="a grading bundle's secret: seals hidden variants")
    answers: Literal["live", "record", "replay"] = Field(
        default="live", description="the reference's answers: from the reference, recorded, or from a release's record")
    stop_at_first_fail: bool = Field(
        default=False, description="proving a rejection (a wrong case, a mutant): the first failed check decides")
    answers_path: str | None = Field(default=None, description="record: where to write them; replay: verified copy")
