"""Where a lab's submission files lie in one student's folder, and what identifies them.

Three layouts are understood, tried in this order: the student edition (`labs/<lab>/queries/…`), a
folder per lab (`<lab>/queries/…`), and flat (the submission files themselves, `queries/…` or just
`01_x.sql` by file name). Only files the trusted lab.yaml names are ever looked at.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from grader.labs import Lab


def _present(folder: Path, files: list[str]) -> bool:
    return any((folder / rel).is_file() or (folder / rel).is_symlink() for rel in files)


def _by_file_name(folder: Path, files: list[str]) -> bool:
    return any((folder / Path(rel).name).is_file() for rel in files)


def lab_folder(student_dir: Path, lab: Lab) -> Path | None:
    """The folder holding the lab's submission files relative to it, or None when none is there."""
    for candidate in (student_dir / "labs" / lab.id, student_dir / lab.id, student_dir):
        if candidate.is_dir() and _present(candidate, lab.spec.submission):
            return candidate
    return None


def flattened(student_dir: Path, lab: Lab, scratch: Path) -> Path | None:
    """Files uploaded by name only (`01_x.sql`, as Gradescope's file upload gives them), laid out as the lab
    expects in `scratch`; None when they are not there either."""
    if not _by_file_name(student_dir, lab.spec.submission):
        return None
    target = Path(tempfile.mkdtemp(prefix=f"{lab.id}-", dir=scratch))
    for rel in lab.spec.submission:
        origin = student_dir / Path(rel).name
        if origin.is_file() and not origin.is_symlink():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, target / rel)
    return target


def submission_hash(folder: Path | None, files: list[str]) -> str:
    """What the cache keys on: each named file's bytes (or that it is missing, or a link)."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        path = folder / rel if folder else None
        if path is None or not (path.is_file() or path.is_symlink()):
            part = "missing"
        elif path.is_symlink():
            part = "link"
        else:
            part = hashlib.sha256(path.read_bytes()).hexdigest()
        digest.update(f"{rel}\0{part}\n".encode())
    return digest.hexdigest()


def unchanged(folder: Path, lab: Lab) -> bool:
    """True when every submission file equals the course's starter (the lab was not attempted)."""
    for rel in lab.spec.submission:
        mine, starter = folder / rel, lab.path / rel
        if not mine.is_file() or mine.is_symlink():
            if starter.is_file():
                return False
            continue
        if not starter.is_file() or mine.read_bytes() != starter.read_bytes():
            return False
    return True
