"""A bundle seals the hidden run's check seed: a number the checks were never proven with (the proofs use
1 and 2). A lab whose checks compute with it (offsets into its tables, digits of an ISBN) must still give
its reference full marks, on a real server, with a bundle's secret; a 64-bit seed overflowed there."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import grader, grader_json


def test_a_reference_scores_full_marks_on_sealed_hidden_data(tmp_path: Path) -> None:
    bundle = tmp_path / "grading.bundle"
    done = grader("bundle", str(bundle), "--labs", "sql-indexing-explain")
    assert done.returncode == 0, done.stderr
    code, report = grader_json("check", "sql-indexing-explain", "--solution", "--bundle", str(bundle))
    problems = [f"{t['status']} {t['name']}: {t['message'][:200]}" for t in report["labs"][0]["tests"]
                if t["status"] != "pass"]
    assert code == 0 and report["score"] == report["max_score"] > 0, problems
