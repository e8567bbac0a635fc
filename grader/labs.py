"""Finding labs on disk and pairing each folder with its parsed lab.yaml and course entry."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SpecError, UsageError
from grader.paths import labs_dir
from grader.spec import CourseSpec, LabSpec, load_course, load_lab


@dataclass(frozen=True)
class Lab:
    id: str
    path: Path
    spec: LabSpec

    @property
    def meta(self) -> Path:
        return self.path / ".meta"

    @property
    def solution_dir(self) -> Path:
        return self.meta / "solution"

    def wrong_cases(self) -> list[Path]:
        return _case_dirs(self.meta / "wrong")

    def alternative_cases(self) -> list[Path]:
        return _case_dirs(self.meta / "alternative")


def _case_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def course(root: Path | None = None) -> CourseSpec:
    return load_course(labs_dir(root) / "course.yaml")


def load(lab_id: str, root: Path | None = None) -> Lab:
    folder = labs_dir(root) / lab_id
    if not (folder / "lab.yaml").is_file():
        known = course(root).lab_ids()
        guess = difflib.get_close_matches(lab_id, known, n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else "run 'grader list' to see the labs"
        raise UsageError(f"no lab named '{lab_id}'", hint)
    return Lab(id=lab_id, path=folder, spec=load_lab(folder / "lab.yaml"))


def all_labs(root: Path | None = None) -> list[Lab]:
    """Every lab in course order; a course entry without a folder is a spec error."""
    index = course(root)
    labs = []
    for lab_id in index.lab_ids():
        if not (labs_dir(root) / lab_id / "lab.yaml").is_file():
            raise SpecError(
                f"{labs_dir(root) / 'course.yaml'}: lists '{lab_id}' but labs/{lab_id}/lab.yaml does not exist",
                f"create labs/{lab_id}/ or remove it from course.yaml",
            )
        labs.append(load(lab_id, root))
    return labs
