"""Where things live: the repository root, the labs, and the grader's own state folder."""

from __future__ import annotations

import os
from pathlib import Path

from grader.errors import UsageError


def repo_root() -> Path:
    """The checkout the grader works in: $GRADER_ROOT, else the nearest parent with labs/course.yaml."""
    override = os.environ.get("GRADER_ROOT")
    if override:
        return Path(override).resolve()
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "labs" / "course.yaml").is_file():
            return folder
    package_checkout = Path(__file__).resolve().parent.parent
    if (package_checkout / "labs" / "course.yaml").is_file():
        return package_checkout
    raise UsageError(
        "no labs/course.yaml found in this folder or any parent",
        "run the grader from inside a backend-labs checkout, or set GRADER_ROOT to one",
    )


def labs_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / "labs"


def state_dir(root: Path | None = None) -> Path:
    """`.grader/` keeps warm-service state and logs; it is git-ignored."""
    folder = (root or repo_root()) / ".grader"
    folder.mkdir(exist_ok=True)
    return folder
