"""The learner's progress: best score and date of every lab, task states, the lab they are on.

Kept in `.grader/progress.json` and written by every `grader check` of the learner's own files
(not `--solution`, not `--submission DIR`). A lab-level grader error records nothing: it says
nothing about the learner's work. `--task N` records that task's state but not a score, since a
part of the checks is no score to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.learner import store
from grader.paths import state_dir

if TYPE_CHECKING:  # `grader list` reads progress without paying for pydantic
    from grader.results import LabResult, Status
    from grader.spec import CourseSpec

VERSION = 1


@dataclass
class LabProgress:
    best: float = 0.0
    max: float = 0.0
    best_at: str = ""
    last: float = 0.0
    last_at: str = ""
    tasks: dict[int, Status] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.max > 0 and self.best >= self.max

    @property
    def graded(self) -> bool:
        return bool(self.last_at)

    @property
    def score(self) -> str:
        """Best score out of the maximum, as `grader list` and `grader progress` show it."""
        return f"{self.best:g}/{self.max:g}" if self.max else "-"

    def as_json(self) -> dict[str, Any]:
        return {"best": self.best, "max": self.max, "best_at": self.best_at, "last": self.last,
                "last_at": self.last_at, "tasks": {str(k): v for k, v in sorted(self.tasks.items())}}

    @classmethod
    def from_json(cls, data: Any) -> LabProgress:
        if not isinstance(data, dict):
            return cls()
        tasks = data.get("tasks")
        tasks = tasks if isinstance(tasks, dict) else {}
        return cls(best=float(data.get("best", 0)), max=float(data.get("max", 0)), best_at=str(data.get("best_at", "")),
                   last=float(data.get("last", 0)), last_at=str(data.get("last_at", "")),
                   tasks={int(k): v for k, v in tasks.items() if str(k).isdigit() and v in ("pass", "fail", "error")})


@dataclass
class Progress:
    labs: dict[str, LabProgress] = field(default_factory=dict)
    current: str | None = None

    def of(self, lab_id: str) -> LabProgress:
        return self.labs.get(lab_id) or LabProgress()

    def missing_prerequisites(self, course: CourseSpec, lab_id: str) -> list[str]:
        """The prerequisites (course.yaml) of `lab_id` not yet done; empty: the lab is unlocked."""
        return [need for need in course.prerequisites.get(lab_id, []) if not self.of(need).done]


def path(root: Path | None = None) -> Path:
    return state_dir(root) / "progress.json"


def load(root: Path | None = None) -> Progress:
    data = store.read(path(root))
    labs = data.get("labs")
    labs = labs if isinstance(labs, dict) else {}
    current = data.get("current")
    return Progress({str(k): LabProgress.from_json(v) for k, v in labs.items()},
                    current if isinstance(current, str) else None)


def save(progress: Progress, root: Path | None = None) -> None:
    store.write(path(root), {"version": VERSION, "current": progress.current,
                             "labs": {k: v.as_json() for k, v in sorted(progress.labs.items())}})


def task_states(lab: LabResult) -> dict[int, Status]:
    """Each task's state: fail if a check failed, error if one could not run, else pass."""
    from grader.results import worst

    by_task: dict[int, list[Status]] = {}
    for check in lab.tests:
        if check.task is not None:
            by_task.setdefault(check.task, []).append(check.status)
    return {task: worst(statuses) for task, statuses in sorted(by_task.items())}


def record(results: list[LabResult], root: Path | None = None, task: int | None = None,
           now: datetime | None = None) -> Progress:
    """Remember these results of the learner's own files; returns the updated progress."""
    progress = load(root)
    stamp = (now or datetime.now()).isoformat(timespec="seconds")
    for lab in results:
        if lab.message or not lab.tests:
            continue  # a grader error: nothing learnt about the submission
        entry = progress.labs.setdefault(lab.id, LabProgress())
        entry.tasks.update(task_states(lab))
        entry.last_at = stamp
        progress.current = lab.id
        if task is not None:
            continue
        entry.last, entry.max = lab.score, lab.max_score
        if lab.score > entry.best or not entry.best_at:
            entry.best, entry.best_at = lab.score, stamp
    save(progress, root)
    return progress
