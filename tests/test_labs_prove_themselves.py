"""Every lab in the course proves itself on real servers: reference and alternatives 100 %,
starter and every `.meta/wrong/` case below 100 %, and no check ends in `error`."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import labs
from grader.prove import cases
from grader.runner import Submission, grade
from grader.services.session import ServicePool

ROOT = Path(__file__).resolve().parent.parent
ALL = [(lab, case, folder, full) for lab in labs.all_labs(ROOT) for case, folder, full in cases(lab)]


@pytest.mark.slow
@pytest.mark.parametrize(("lab", "case", "folder", "expect_full"), ALL,
                         ids=[f"{lab.id}:{case}" for lab, case, _, _ in ALL])
def test_lab_case(lab: labs.Lab, case: str, folder: Path, expect_full: bool, pool: ServicePool) -> None:
    result = grade(lab, pool, Submission(folder, case), ROOT)
    problems = [f"{t.status} {t.name}: {t.message[:200]}" for t in result.tests if t.status != "pass"]
    assert result.status != "error" or not expect_full, f"{lab.id} {case}: {result.message} {problems}"
    assert result.max_score > 0, f"{lab.id} {case} has no points to score: {result.message}"
    assert all(t.status != "error" for t in result.tests), f"{lab.id} {case}: checks errored: {problems}"
    if expect_full:
        assert result.score == result.max_score, f"{lab.id} {case} should score 100 %: {problems}"
    else:
        assert result.score < result.max_score, f"{lab.id} {case} should score below 100 % but scored full marks"


def test_every_lab_has_wrong_cases_and_public_checks() -> None:
    for lab in labs.all_labs(ROOT):
        assert len(lab.wrong_cases()) >= 2, f"{lab.id} needs at least two .meta/wrong/ cases"
        assert list((lab.path / "tests").glob("test_*.py")), f"{lab.id} has no public checks in tests/"
        assert (lab.path / "README.md").read_text().count("\n## 1.") == 1, f"{lab.id} README needs '## 1.'"
        for name in lab.spec.submission:
            assert (lab.path / name).is_file(), f"{lab.id}: starter file {name} is missing"
            assert (lab.solution_dir / name).is_file(), f"{lab.id}: reference has no {name}"
