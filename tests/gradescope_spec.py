"""Gradescope's published results.json field list, as a validator shared by the tests that write one."""

from __future__ import annotations

from typing import Any

# The published field list (Gradescope autograder specification, "Output format").
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def validate_gradescope(report: dict[str, Any]) -> None:
    assert set(report) <= GRADESCOPE_TOP, set(report) - GRADESCOPE_TOP
    assert isinstance(report["score"], (int, float))  # required here, since we give it at the top level
    assert isinstance(report["execution_time"], int)
    for test in report["tests"]:
        assert set(test) <= GRADESCOPE_TEST, set(test) - GRADESCOPE_TEST
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in GRADESCOPE_VISIBILITY
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        if "number" in test:
            assert isinstance(test["number"], str)
    assert report["score"] == sum(t["score"] for t in report["tests"])
    numbers = [t["number"] for t in report["tests"] if "number" in t]
    assert len(set(numbers)) == len(numbers), f"numbers repeat: {numbers}"
