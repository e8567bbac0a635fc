"""Hints on demand, in levels: each `grader hint LAB TASK` reveals the next level of that task's hint.

lab.yaml gives a task's hint as one text (one level) or a list of levels, gentle first. How many
levels a learner has revealed is kept in `.grader/hints.json`, so a check can show what they
already asked for and say that more exists, instead of handing out the answer unasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.labs import Lab
from grader.learner import store, tasks
from grader.learner.progress import Progress
from grader.paths import state_dir


def _path(root: Path | None) -> Path:
    return state_dir(root) / "hints.json"


def revealed(lab_id: str, task: int, root: Path | None = None) -> int:
    value = store.read(_path(root)).get(lab_id, {}).get(str(task), 0)
    return value if isinstance(value, int) else 0


def _remember(lab_id: str, task: int, count: int, root: Path | None) -> None:
    data = store.read(_path(root))
    data.setdefault(lab_id, {})[str(task)] = count
    store.write(_path(root), data)


@dataclass(frozen=True)
class Shown:
    task: int
    levels: list[str]  # every level revealed so far
    total: int


def default_task(lab: Lab, progress: Progress) -> int:
    """The task a hint is most likely wanted for: the first that does not pass yet, else the first with hints."""
    states = progress.of(lab.id).tasks
    numbers = sorted(set(tasks.titles(lab)) | set(lab.spec.hints))
    for number in numbers:
        if states.get(number) != "pass":
            return number
    return next((n for n in numbers if lab.spec.hint_levels(n)), numbers[0] if numbers else 1)


def reveal(lab: Lab, task: int, everything: bool, root: Path | None = None) -> Shown:
    """Reveal the next level (or all of them) of `task`'s hint, and remember it."""
    tasks.require(lab, task)
    levels = lab.spec.hint_levels(task)
    if not levels:
        raise UsageError(f"{lab.id} has no hint for task {task}",
                         f"re-read task {task} in the README (grader show {lab.id}) and the feedback of grader check")
    count = len(levels) if everything else min(revealed(lab.id, task, root) + 1, len(levels))
    _remember(lab.id, task, count, root)
    return Shown(task, levels[:count], len(levels))


def note(lab: Lab, task: int, root: Path | None = None) -> list[str]:
    """What a failed check's feedback says about the task's hint: revealed levels, and whether more exist."""
    levels = lab.spec.hint_levels(task)
    if not levels:
        return []
    seen = min(revealed(lab.id, task, root), len(levels))
    lines = [f"hint {i + 1}/{len(levels)}: {text}" for i, text in enumerate(levels[:seen])]
    if seen < len(levels):
        more = "a hint exists" if seen == 0 else "another hint exists"
        lines.append(f"{more}: grader hint {lab.id} {task}")
    return lines
