"""The submission as a concrete, staged thing: exactly the files lab.yaml `submission:` names.

The learner's tree is untrusted. Grading never reads it directly: `stage` copies the files the
(trusted) lab.yaml lists into a private temporary folder, and checks, workers and the sandbox see
only that folder. A learner's conftest.py, tests/, .meta/ or anything else is never copied, so it is
never read, imported or executed. Only regular files are copied: a symbolic link could point at the
reference or at a file outside the submission, so it is left out and reported.
"""

from __future__ import annotations

import contextlib
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import CheckResult

MAX_FILE_BYTES = 1_000_000  # a submission file is source text; anything larger is not graded


@dataclass(frozen=True)
class Staged:
    """A private folder holding the submission files, and what could not be staged (and why)."""

    folder: Path
    left_out: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[CheckResult]:
        """A failed entry per file left out, so the report says why instead of "missing"."""
        return [CheckResult(name=f"submission file {rel}", status="fail", file=rel,
                            message=f"{rel} {why}: it was not graded") for rel, why in self.left_out.items()]


def _why_not(path: Path) -> str | None:
    """None when `path` is a regular file of a sane size, else why it is left out."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None  # missing: the check itself says "restore the starter file"
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link; submit the file itself"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_size > MAX_FILE_BYTES:
        return f"is larger than {MAX_FILE_BYTES // 1000} kB"
    return None


def _inside(folder: Path, rel: str) -> bool:
    """No parent folder of `rel` under `folder` may be a link (it could lead out of the learner's tree)."""
    current = folder
    for part in Path(rel).parts[:-1]:
        current = current / part
        if current.is_symlink():
            return False
    return True


@contextlib.contextmanager
def stage(files: list[str], source: Path) -> Iterator[Staged]:
    """Copy `files` (lab.yaml `submission:`, relative paths) from `source` into a fresh private folder."""
    left_out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as scratch:
        folder = Path(scratch)
        folder.chmod(0o755)  # a sandboxed worker (another uid) and local servers read it; only root writes it
        for rel in files:
            origin = source / rel
            problem = _why_not(origin) if _inside(source, rel) else "lies under a symbolic link"
            if problem is not None:
                left_out[rel] = problem
                continue
            if not origin.exists():
                continue
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target, follow_symlinks=False)
            target.chmod(0o644)
        yield Staged(folder, left_out)
