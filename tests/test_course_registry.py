"""course.yaml is the index of the labs: a folder it does not list, an unknown prerequisite or a
syntax error is a clear error, never a lab silently skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import labs
from grader.errors import SpecError

LAB = "title: T\ntrack: t\nsubmission: [a.sql]\n"


def _course(tmp_path: Path, course: str, folders: list[str]) -> Path:
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "course.yaml").write_text(course)
    for name in folders:
        (tmp_path / "labs" / name).mkdir()
        (tmp_path / "labs" / name / "lab.yaml").write_text(LAB)
    return tmp_path


def test_a_listed_course_loads(tmp_path: Path) -> None:
    root = _course(tmp_path, "title: c\ntracks:\n  - {id: t, title: T, labs: [a, b]}\nprerequisites: {b: [a]}\n",
                   ["a", "b"])
    assert [lab.id for lab in labs.all_labs(root)] == ["a", "b"]


def test_a_lab_folder_missing_from_course_yaml(tmp_path: Path) -> None:
    root = _course(tmp_path, "title: c\ntracks:\n  - {id: t, title: T, labs: [a]}\n", ["a", "stray"])
    with pytest.raises(SpecError, match="stray are not listed in any track") as caught:
        labs.load("a", root)
    assert "add each to a track" in caught.value.fix


def test_an_unknown_prerequisite(tmp_path: Path) -> None:
    root = _course(tmp_path, "title: c\ntracks:\n  - {id: t, title: T, labs: [a, b]}\nprerequisites: {b: [aa]}\n",
                   ["a", "b"])
    with pytest.raises(SpecError, match="prerequisites name 'aa'") as caught:
        labs.all_labs(root)
    assert "did you mean 'a'" in caught.value.fix


def test_a_course_yaml_syntax_error(tmp_path: Path) -> None:
    root = _course(tmp_path, "title: c\ntracks: [\n", ["a"])
    with pytest.raises(SpecError, match=r"course.yaml \(line \d+, column \d+\): not valid YAML"):
        labs.all_labs(root)


def test_a_lab_listed_twice(tmp_path: Path) -> None:
    root = _course(tmp_path, "title: c\ntracks:\n  - {id: t, title: T, labs: [a, a]}\n", ["a"])
    with pytest.raises(SpecError, match="lists a more than once"):
        labs.all_labs(root)
