"""lab.yaml and course.yaml as typed models that reject unknown keys.

A broken file becomes a SpecError naming the file, the field and the fix, so an author never
meets a pydantic traceback.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grader.errors import SpecError

ServiceName = Literal["postgres", "redis", "mongodb"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(Strict):
    statement_timeout_ms: int = Field(default=3000, gt=0, description="per learner SQL statement")
    worker_timeout_s: float = Field(default=10.0, gt=0, description="per call into learner Python")
    lab_timeout_s: float = Field(default=300.0, gt=0, description="for the whole lab's checks")
    memory_mb: int = Field(default=1024, ge=64, description="memory of a learner process tree (worker, app)")
    processes: int = Field(default=64, ge=4, description="processes a learner process tree may have at once")


class AppSpec(Strict):
    """A learner's web service (API labs): how the grader starts it and knows it is ready.

    The app gets PORT (and HOST), DATABASE_URL (the learner role on the variant's run database),
    REDIS_URL when the lab has Redis, and PYTHON (the grader's interpreter, for a Python app).
    """

    command: list[str] = Field(
        default_factory=lambda: ["{python}", "app.py"],
        min_length=1, description="argv that starts the app; {python} is the grader's interpreter",
    )
    command_file: str | None = Field(
        default=None, description="a submission file (e.g. run.sh) run with sh instead of `command`: the "
        "learner's own start script, in any language",
    )
    ready_path: str | None = Field(
        default=None, description="an HTTP path that answers below 500 once the app is ready; none: the port opens",
    )
    env: dict[str, str] = Field(default_factory=dict, description="extra environment for the app")
    proxied: list[ServiceName] = Field(
        default_factory=list, description="services the app reaches through the grader's fault proxy "
        "(grader/apps/proxy.py), so that checks can delay, refuse or cut its connections",
    )
    start_timeout_s: float = Field(default=20.0, gt=0, description="from start until ready")
    request_timeout_s: float = Field(default=5.0, gt=0, description="per HTTP request a check sends")
    count_statements: bool = Field(
        default=False, description="route DATABASE_URL through a counter of the SQL statements the app sends "
        "(app.statements), e.g. to grade N+1 queries",
    )

    @field_validator("ready_path")
    @classmethod
    def absolute_path(cls, path: str | None) -> str | None:
        if path is not None and not path.startswith("/"):
            raise ValueError(f"'{path}' must start with '/', e.g. /health")
        return path


class LabSpec(Strict):
    """One lab's metadata; the folder name is its id."""

    title: str
    track: str
    summary: str = ""
    services: list[ServiceName] = Field(default_factory=list)
    dataset: str | None = None
    submission: list[str] = Field(min_length=1, description="files the learner edits, relative to the lab")
    hints: dict[int, str | list[str]] = Field(
        default_factory=dict, description="task number -> a hint, or its hint levels from gentle to explicit"
    )
    limits: Limits = Field(default_factory=Limits)
    requires_features: list[str] = Field(
        default_factory=list, description="server features some checks need (e.g. explain)"
    )
    app: AppSpec | None = Field(default=None, description="the learner's web service, for API labs")

    @model_validator(mode="after")
    def command_file_is_submitted(self) -> LabSpec:
        if self.app and self.app.command_file and self.app.command_file not in self.submission:
            raise ValueError(f"app.command_file '{self.app.command_file}' must be one of the submission files")
        return self

    @model_validator(mode="after")
    def proxied_services_are_used(self) -> LabSpec:
        unused = [name for name in (self.app.proxied if self.app else []) if name not in self.services]
        if unused:
            raise ValueError(f"app.proxied names {', '.join(unused)}, which 'services:' does not list")
        return self

    @field_validator("submission")
    @classmethod
    def relative_paths(cls, files: list[str]) -> list[str]:
        for name in files:
            if Path(name).is_absolute() or ".." in Path(name).parts:
                raise ValueError(f"'{name}' must be a path inside the lab folder")
        return files

    @field_validator("hints")
    @classmethod
    def hint_levels_not_empty(cls, hints: dict[int, str | list[str]]) -> dict[int, str | list[str]]:
        for task, levels in hints.items():
            texts = [levels] if isinstance(levels, str) else levels
            if not texts or not all(text.strip() for text in texts):
                raise ValueError(f"task {task}: give a hint as text, or a list of non-empty hint levels")
        return hints

    def hint_levels(self, task: int) -> list[str]:
        """A task's hints in the order they are revealed: a single string is one level."""
        levels = self.hints.get(task, [])
        return [levels] if isinstance(levels, str) else list(levels)

    def first_hints(self) -> dict[int, str]:
        """The first level of every task's hint: what reports that cannot ask for more show."""
        return {task: self.hint_levels(task)[0] for task in sorted(self.hints)}


class Track(Strict):
    id: str
    title: str
    labs: list[str]


class LatePolicy(Strict):
    """How `grader batch --deadline` treats late work (grader.batch.late); the raw mark is always kept."""

    deduction_per_day: float = Field(ge=0, le=100, description="percent of the points earned, per day late "
                                     "(a day started counts)")
    max_deduction: float = Field(default=100, ge=0, le=100, description="percent: the deduction never exceeds it")
    accept_days: float = Field(default=0, ge=0, description="commits up to this many days after a student's "
                               "deadline are graded (late); later ones are not graded")
    extensions: dict[str, float] = Field(default_factory=dict, description="student -> extra days before the "
                                         "deadline passes (a roster's extension column adds to it)")
    exempt: list[str] = Field(default_factory=list, description="students whose late work is not penalised")


class CourseSpec(Strict):
    """The index: tracks in order, their labs in order, and prerequisites."""

    title: str
    tracks: list[Track]
    prerequisites: dict[str, list[str]] = Field(default_factory=dict)
    late_policy: LatePolicy | None = None

    def lab_ids(self) -> list[str]:
        return [lab for track in self.tracks for lab in track.labs]


# libyaml's safe loader when PyYAML was built with it: the same documents, parsed ~10x faster (a whole course
# of lab.yaml files is read by `grader list`)
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found", "create it, or check the lab id") from None
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
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
        for candidate in (annotation, *get_args(annotation)):  # `AppSpec | None` names its model too
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                current = candidate
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
