"""lab.yaml / course.yaml parsing: valid files load, broken ones name the file, the field and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import labs
from grader.errors import SpecError
from grader.spec import load_course, load_lab

VALID = """title: Joins
track: sql
services: [postgres]
dataset: shop
submission: [queries/01.sql]
hints: {1: use a LEFT JOIN}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lab.yaml"
    path.write_text(text)
    return path


def test_valid_lab_loads_with_defaults(tmp_path: Path) -> None:
    spec = load_lab(write(tmp_path, VALID))
    assert spec.services == ["postgres"]
    assert spec.hints == {1: "use a LEFT JOIN"}
    assert spec.limits.statement_timeout_ms == 3000


def test_unknown_key_is_named_with_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_lab(write(tmp_path, VALID.replace("services:", "servics:")))
    assert "lab.yaml" in caught.value.problem
    assert "unknown key 'servics'" in caught.value.problem
    assert "rename it to 'services'" in caught.value.fix


def test_unknown_nested_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_lab(write(tmp_path, VALID + "limits: {statement_timeout: 5}\n"))
    assert "limits.statement_timeout" in caught.value.problem
    assert "statement_timeout_ms" in caught.value.fix


def test_missing_required_key(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_lab(write(tmp_path, VALID.replace("title: Joins\n", "")))
    assert "missing required key 'title'" in caught.value.problem


def test_unknown_service_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_lab(write(tmp_path, VALID.replace("[postgres]", "[mysql]")))
    assert "services.0" in caught.value.problem


def test_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_lab(write(tmp_path, VALID + "hints: [unclosed\n"))
    assert "not valid YAML" in caught.value.problem
    assert "line " in caught.value.problem


def test_submission_paths_stay_inside_the_lab(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load_lab(write(tmp_path, VALID.replace("queries/01.sql", "../../etc/passwd")))
    assert "inside the lab folder" in caught.value.problem


def test_course_listing_a_missing_lab_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "course.yaml").write_text("title: t\ntracks:\n  - {id: sql, title: SQL, labs: [nope]}\n")
    assert load_course(tmp_path / "labs" / "course.yaml").lab_ids() == ["nope"]
    with pytest.raises(SpecError) as caught:
        labs.all_labs(tmp_path)
    assert "labs/nope/lab.yaml does not exist" in caught.value.problem


def test_every_lab_in_the_repository_parses(root: Path) -> None:
    found = labs.all_labs(root)
    assert found, "the course lists no labs"
    assert all(lab.spec.title for lab in found)
