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
    """The index, checked against the lab folders: every lab listed once, every folder listed, every
    prerequisite a listed lab. A lab that is graded but missing from the index is an error, not a lab
    the course silently skips."""
    index = load_course(labs_dir(root) / "course.yaml")
    _check_registry(index, labs_dir(root))
    return index


def _check_registry(index: CourseSpec, folder: Path) -> None:
    where = folder / "course.yaml"
    listed = index.lab_ids()
    twice = sorted({lab for lab in listed if listed.count(lab) > 1})
    if twice:
        raise SpecError(f"{where}: lists {', '.join(twice)} more than once", "keep each lab in one track, once")
    for lab, needs in index.prerequisites.items():
        for name in [lab, *needs]:
            if name not in listed:
                guess = difflib.get_close_matches(name, listed, n=1)
                raise SpecError(f"{where}: prerequisites name '{name}', which no track lists",
                                f"did you mean '{guess[0]}'?" if guess else "add it to a track or remove it")
    unlisted = sorted(p.name for p in folder.iterdir() if (p / "lab.yaml").is_file() and p.name not in listed)
    if unlisted:
        raise SpecError(f"{where}: the lab folder(s) {', '.join(unlisted)} are not listed in any track",
                        "add each to a track in course.yaml (the order learners take them), or remove the folder")


def load(lab_id: str, root: Path | None = None) -> Lab:
    folder = labs_dir(root) / lab_id
    index = course(root)
    if not (folder / "lab.yaml").is_file():
        raise UsageError(f"no lab named '{lab_id}'", _suggest(lab_id, index.lab_ids()))
    return _lab(folder)


def _lab(folder: Path) -> Lab:
    return Lab(id=folder.name, path=folder, spec=load_lab(folder / "lab.yaml"))


def _suggest(lab_id: str, known: list[str]) -> str:
    """The lab meant: a close spelling ('sql-join'), else labs containing the word ('redis')."""
    guesses = difflib.get_close_matches(lab_id, known, n=1) or [k for k in known if lab_id.lower() in k][:5]
    if len(guesses) == 1:
        return f"did you mean '{guesses[0]}'?"
    if guesses:
        return f"did you mean one of: {', '.join(guesses)}?"
    return "run 'grader list' to see the labs"


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
        labs.append(_lab(labs_dir(root) / lab_id))  # the index is checked once, not once per lab
    return labs
