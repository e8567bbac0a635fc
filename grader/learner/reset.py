"""`grader reset LAB`: the starter files back (the learner's version kept under .grader/backups/), and/or
the playground database re-seeded.

The starter comes from git (grader/starter.py), so it is the course's version even when the
learner has edited the files in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader import playground, starter
from grader.errors import UsageError
from grader.labs import Lab
from grader.paths import state_dir


@dataclass
class FilesReset:
    restored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    backup: Path | None = None


def reset_files(lab: Lab, root: Path, now: datetime | None = None) -> FilesReset:
    found = starter.starter(lab, learner=True)
    if found.commit is None:
        raise UsageError(f"{root} is not a git checkout, so the starter of {lab.id} cannot be found",
                         "reset needs the course as a git clone (the starter is its committed version)")
    if found.uncommitted:
        raise UsageError(f"git has no committed version of {', '.join(found.uncommitted)} in labs/{lab.id}",
                         "commit the starter first (an author's new lab), or restore the files by hand")
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    backup = state_dir(root) / "backups" / lab.id / stamp
    outcome = FilesReset()
    for name, content in found.files.items():
        target = lab.path / name
        current = target.read_bytes() if target.is_file() else None
        if current == content:
            outcome.unchanged.append(name)
            continue
        if current is not None:
            saved = backup / name
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_bytes(current)
            outcome.backup = backup
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        outcome.restored.append(name)
    return outcome


def reset_db(lab: Lab, root: Path) -> list[playground.Playground]:
    """Drop and re-seed the lab's playground on every service it uses."""
    if not lab.spec.services:
        raise UsageError(f"{lab.id} uses no database", f"use grader reset {lab.id} --files")
    return playground.for_lab(lab, root, reset=True)
