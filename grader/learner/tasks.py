"""A lab's numbered tasks, read from its README ("## 1. Title"), the numbers checks are marked with."""

from __future__ import annotations

import re

from grader.errors import UsageError
from grader.labs import Lab

_HEADING = re.compile(r"^##\s+(\d+)\.\s*(.*?)\s*$", re.MULTILINE)


def titles(lab: Lab) -> dict[int, str]:
    """Task number -> title, in README order."""
    try:
        text = (lab.path / "README.md").read_text(encoding="utf-8")
    except OSError:
        return {}
    return {int(number): title for number, title in _HEADING.findall(text)}


def require(lab: Lab, task: int) -> None:
    """A usage error naming the lab's tasks when `task` is not one of them."""
    known = titles(lab)
    if known and task not in known:
        raise UsageError(f"{lab.id} has no task {task}",
                         f"its tasks are {', '.join(map(str, known))} (see: grader show {lab.id})")


def label(lab: Lab, task: int) -> str:
    title = titles(lab).get(task)
    return f"task {task} ({title})" if title else f"task {task}"
