"""lab.yaml and course.yaml as typed models that reject unknown keys.

A broken file becomes a SpecError naming the file, the field and the fix, so an author never
meets a pydantic traceback.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.errors import SpecError

ServiceName = Literal["postgres", "redis", "mongodb"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(Strict):
    statement_timeout_ms: int = Field(default=3000, gt=0, description="per learner SQL statement")
    worker_timeout_s: float = Field(default=10.0, gt=0, description="per call into learner Python")
    lab_timeout_s: float = Field(default=300.0, gt=0, description="for the whole lab's checks")


class LabSpec(Strict):
    """One lab's metadata; the folder name is its id."""

    title: str
    track: str
    summary: str = ""
    services: list[ServiceName] = Field(default_factory=list)
    dataset: str | None = None
    submission: list[str] = Field(min_length=1, description="files the learner edits, relative to the lab")
    hints: dict[int, str] = Field(default_factory=dict, description="task number -> hint")
    limits: Limits = Field(default_factory=Limits)
    requires_features: list[str] = Field(
        default_factory=list, description="server features some checks need (e.g. explain)"
    )

    @field_validator("submission")
    @classmethod
    def relative_paths(cls, files: list[str]) -> list[str]:
        for name in files:
            if Path(name).is_absolute() or ".." in Path(name).parts:
                raise ValueError(f"'{name}' must be a path inside the lab folder")
        return files


class Track(Strict):
    id: str
    title: str
    labs: list[str]


class CourseSpec(Strict):
    """The index: tracks in order, their labs in order, and prerequisites."""

    title: str
    tracks: list[Track]
    prerequisites: dict[str, list[str]] = Field(default_factory=dict)

    def lab_ids(self) -> list[str]:
        return [lab for track in self.tracks for lab in track.labs]


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found", "create it, or check the lab id") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(
            f"{path}{where}: not valid YAML: {problem}",
            "fix the YAML syntax (indentation, a missing ':' or an unclosed quote)",
        ) from None


def _explain(path: Path, model: type[BaseModel], exc: ValidationError) -> SpecError:
    lines = []
    fixes = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            key = str(error["loc"][-1])
            allowed = _allowed_keys(model, error["loc"][:-1])
            guess = difflib.get_close_matches(key, allowed, n=1)
            lines.append(f"unknown key '{field}'")
            fixes.append(
                f"rename it to '{guess[0]}'" if guess else f"remove it; allowed keys: {', '.join(allowed)}"
            )
        elif error["type"] == "missing":
            lines.append(f"missing required key '{field}'")
            fixes.append(f"add '{field}:'")
        else:
            lines.append(f"'{field}': {error['msg']}")
            fixes.append(f"correct '{field}'")
    return SpecError(f"{path}: " + "; ".join(lines), "; ".join(fixes))


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", {})
        field = fields.get(str(part))
        annotation = getattr(field, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            current = annotation
    return sorted(getattr(current, "model_fields", {}))


def load_model(path: Path, model: type[BaseModel]) -> Any:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping of keys at the top level", "start the file with 'title: ...'")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _explain(path, model, exc) from None


def load_lab(path: Path) -> LabSpec:
    spec: LabSpec = load_model(path, LabSpec)
    return spec


def load_course(path: Path) -> CourseSpec:
    course: CourseSpec = load_model(path, CourseSpec)
    return course
