"""The lab log names a check the submission failed by the check's line and its own message: not pytest's
traceback with the source of every frame (slow to build, and it quoted the values a hidden check compared)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT, copy_of_repo, grader_json


@pytest.fixture
def scratch() -> Iterator[Path]:
    root = copy_of_repo(["sql-joins"])
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_failed_checks_are_logged_by_line_and_message(scratch: Path) -> None:
    wrong = ROOT / "labs" / "sql-joins" / ".meta" / "wrong" / "count-star"
    code, report = grader_json("check", "sql-joins", "--submission", str(wrong), env={"GRADER_ROOT": str(scratch)})
    assert code == 1, report
    failed = [t for t in report["labs"][0]["tests"] if t["status"] == "fail"]
    assert failed and any(t["visibility"] == "hidden" for t in failed)
    log = (scratch / ".grader" / "logs" / "sql-joins.log").read_text()
    located = re.findall(r"^(tests/test_joins\.py|\.meta/hidden/test_joins_edge_cases\.py):\d+: "
                         r"(?:Mismatch|SubmissionProblem|AssertionError): ", log, flags=re.MULTILINE)
    assert len(located) == len(failed), log[:3000]
    for check in failed:  # each with the message the learner sees, no more
        assert check["message"].splitlines()[0] in log
    assert "def test_" not in log and "grader/checks/sql.py" not in log, "pytest's source traceback is back"
