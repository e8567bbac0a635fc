"""`grader list` reuses what it validated while no course file changed, and validates again after
any change: a kept copy never hides a broken or new lab."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import SpecError
from grader.learner.lab_list import listed_labs

COURSE = "title: c\ntracks:\n  - {id: t, title: T, labs: [a, b]}\n"


def _course(tmp_path: Path) -> Path:
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "course.yaml").write_text(COURSE)
    for name, services in (("a", "[postgres]"), ("b", "[redis, postgres]")):
        (tmp_path / "labs" / name).mkdir()
        (tmp_path / "labs" / name / "lab.yaml").write_text(
            f"title: Lab {name}\ntrack: t\nsubmission: [x.sql]\nservices: {services}\n")
    return tmp_path


def _mark_kept_copy(root: Path) -> None:
    """Change the kept titles, so a list that shows them was read from the copy, not validated."""
    kept_path = root / ".grader" / "lab-list.json"
    kept = json.loads(kept_path.read_text())
    for lab in kept["labs"]:
        lab["title"] = "from the kept copy"
    kept_path.write_text(json.dumps(kept))


def test_the_list_is_validated_then_read_from_the_kept_copy(tmp_path: Path) -> None:
    root = _course(tmp_path)
    first = listed_labs(root)
    assert [(lab.id, lab.title, lab.services) for lab in first] == [
        ("a", "Lab a", ("postgres",)), ("b", "Lab b", ("redis", "postgres"))]
    _mark_kept_copy(root)
    assert {lab.title for lab in listed_labs(root)} == {"from the kept copy"}


def test_an_edited_lab_yaml_is_validated_again(tmp_path: Path) -> None:
    root = _course(tmp_path)
    listed_labs(root)
    _mark_kept_copy(root)
    (root / "labs" / "b" / "lab.yaml").write_text("title: Renamed lab\ntrack: t\nsubmission: [x.sql]\n")
    assert [lab.title for lab in listed_labs(root)] == ["Lab a", "Renamed lab"]


def test_a_lab_yaml_broken_after_listing_is_reported(tmp_path: Path) -> None:
    root = _course(tmp_path)
    listed_labs(root)
    (root / "labs" / "a" / "lab.yaml").write_text("title: [unclosed\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        listed_labs(root)


def test_a_lab_yaml_added_to_an_existing_unlisted_folder_is_reported(tmp_path: Path) -> None:
    root = _course(tmp_path)
    (root / "labs" / "draft").mkdir()
    listed_labs(root)
    (root / "labs" / "draft" / "lab.yaml").write_text("title: Draft\ntrack: t\nsubmission: [x.sql]\n")
    with pytest.raises(SpecError, match="draft are not listed in any track"):
        listed_labs(root)


def test_a_damaged_kept_copy_is_replaced(tmp_path: Path) -> None:
    root = _course(tmp_path)
    listed_labs(root)
    kept_path = root / ".grader" / "lab-list.json"
    kept = json.loads(kept_path.read_text())
    kept["labs"] = [{"id": "a"}]
    kept_path.write_text(json.dumps(kept))
    assert [lab.title for lab in listed_labs(root)] == ["Lab a", "Lab b"]
    assert len(json.loads(kept_path.read_text())["labs"]) == 2
