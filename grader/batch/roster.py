"""Who the students are: a class folder (one folder per student) or a roster CSV of git repositories.

Roster CSV columns (a header row names them): `student`, `repository` (a local path or a URL git can
clone; `repo`, `url` and `path` are accepted too) and optionally `extension` (extra days). A class
folder's students are its sub-folders; a sub-folder that is a git repository is graded as one (at
its last commit not after the deadline), any other folder as it is on disk.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

REPOSITORY_COLUMNS = ("repository", "repo", "url", "path")
_SAFE = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass(frozen=True)
class Student:
    id: str
    source: str  # a folder, a local repository or a URL
    is_git: bool
    extension_days: float = 0.0


def safe_name(student: str) -> str:
    """A file name for a student id (feedback files, logs)."""
    return _SAFE.sub("_", student) or "_"


def _is_repository(folder: Path) -> bool:
    return (folder / ".git").exists() or ((folder / "HEAD").is_file() and (folder / "objects").is_dir())


def from_folder(folder: Path) -> list[Student]:
    students = [Student(child.name, str(child), _is_repository(child))
                for child in sorted(folder.iterdir()) if child.is_dir() and not child.name.startswith(".")]
    if not students:
        raise UsageError(f"{folder} holds no student folders",
                         "give a folder with one folder per student (or a roster CSV with --roster)")
    return students


def from_csv(path: Path) -> list[Student]:
    """Students from a roster CSV; relative repository paths are relative to the CSV's folder."""
    try:
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    except (OSError, csv.Error) as exc:
        raise UsageError(f"cannot read the roster {path}: {exc}", "give a CSV with a header row") from None
    header = {name.strip().lower(): name for name in (rows[0].keys() if rows else [])}
    column = next((header[c] for c in REPOSITORY_COLUMNS if c in header), None)
    if "student" not in header or column is None:
        raise UsageError(f"{path}: the header must name a 'student' and a 'repository' column",
                         "first line, e.g.: student,repository,extension")
    students: list[Student] = []
    for number, row in enumerate(rows, start=2):
        student = (row.get(header["student"]) or "").strip()
        where = (row.get(column) or "").strip()
        if not student or not where:
            raise UsageError(f"{path} line {number}: a student and a repository are needed", "fill in both")
        extension = (row.get(header.get("extension", ""), "") or "").strip() if "extension" in header else ""
        try:
            days = float(extension) if extension else 0.0
        except ValueError:
            raise UsageError(f"{path} line {number}: extension '{extension}' is not a number of days",
                             "write e.g. 2 or 0.5") from None
        local = (path.parent / where).resolve() if "://" not in where and not where.startswith("git@") else None
        source = str(local) if local is not None else where
        students.append(Student(student, source, local is None or _is_repository(local), days))
    if len({s.id for s in students}) != len(students):
        raise UsageError(f"{path}: a student is listed twice", "give each student one row")
    return sorted(students, key=lambda s: s.id)


def shard(students: list[Student], spec: str | None) -> list[Student]:
    """`i/n`: every n-th student (sorted by id) starting with the i-th: shards cover the class exactly once."""
    if spec is None:
        return students
    match = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard {spec}: expected i/n with 1 <= i <= n", "e.g. --shard 2/4")
    index, count = int(match.group(1)), int(match.group(2))
    return [s for position, s in enumerate(students) if position % count == index - 1]
