"""What a grading run hands to the pytest plugin in the child process: paths, URLs, limits."""

from __future__ import annotations

from pydantic import BaseModel, Field

from grader.spec import Limits


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
    hints: dict[int, str] = Field(default_factory=dict)
    requires_features: list[str] = Field(default_factory=list, description="lab.yaml requires_features")
    results_path: str
