"""Report formats for teachers and CI: JUnit XML, Gradescope results.json, the project's JSON, GitHub Markdown.

Renderers are fed a RunResult read from tests/golden/sample_run.json (no servers needed): two labs, one
with passing, failing, hidden and grader-error checks and awkward text (pipes, HTML, backticks, a
control character), one that could not be graded at all. Hidden checks carry the marker SECRET-HIDDEN
in their messages, which no shared report may contain.

Each format is checked against its published field list or structure, and against a golden file
(regenerate with GRADER_UPDATE_GOLDEN=1 after an intended change, and review the diff).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest

from grader.render import formats, github, gradescope, json_format, junit
from grader.results import SCHEMA_VERSION, RunResult
from tests.gradescope_spec import validate_gradescope

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SECRET = "SECRET-HIDDEN"


@pytest.fixture
def run() -> RunResult:
    return RunResult.model_validate_json((GOLDEN / "sample_run.json").read_text())


def matches_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GRADER_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing: run with GRADER_UPDATE_GOLDEN=1 once and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: if intended, GRADER_UPDATE_GOLDEN=1"


# JUnit -------------------------------------------------------------------------------------------
# No JUnit XSD ships in a pip package we could depend on; these are the elements and attributes that
# the commonly documented JUnit XML (Ant/Jenkins/Surefire, GitLab and GitHub test-report readers) uses.
SUITES_ATTRS = {"tests", "failures", "errors"}
SUITE_ATTRS = {"name", "tests", "failures", "errors", "time"}
CASE_ATTRS = {"classname", "name", "time"}


def validate_junit(text: str) -> ET.Element:
    """Structural validation; returns the root. Fails with the first rule broken."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert set(root.attrib) >= SUITES_ATTRS
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        assert suite.tag == "testsuite"
        assert set(suite.attrib) >= SUITE_ATTRS, suite.attrib
        float(suite.get("time", ""))
        cases = suite.findall("testcase")
        assert {child.tag for child in suite} <= {"properties", "testcase", "system-out", "system-err"}
        assert int(suite.get("tests", "")) == len(cases)
        failures = [c for c in cases if c.find("failure") is not None]
        errors = [c for c in cases if c.find("error") is not None]
        assert int(suite.get("failures", "")) == len(failures)
        assert int(suite.get("errors", "")) == len(errors)
        for case in cases:
            assert set(case.attrib) >= CASE_ATTRS, case.attrib
            assert case.get("classname") == suite.get("name")
            float(case.get("time", ""))
            outcomes = [child for child in case if child.tag in ("failure", "error", "skipped")]
            assert len(outcomes) <= 1
            for outcome in outcomes:
                assert "message" in outcome.attrib and outcome.get("message")
        totals["tests"] += len(cases)
        totals["failures"] += len(failures)
        totals["errors"] += len(errors)
    assert {key: int(root.get(key, "")) for key in totals} == totals
    return root


def test_junit_is_valid_with_one_testcase_per_check(run: RunResult) -> None:
    root = validate_junit(junit.render(run))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["sql-joins", "redis-basics"]
    joins = suites[0].findall("testcase")
    assert len(joins) == len(run.labs[0].tests)
    statuses = {c.get("name"): ("failure" if c.find("failure") is not None else
                                "error" if c.find("error") is not None else "pass") for c in joins}
    assert statuses["task 2: every customer | with a count"] == "failure"
    assert statuses["task 3: runs within the time limit"] == "error"
    assert statuses["task 1: orders with their customer's name"] == "pass"
    ungraded = suites[1].findall("testcase")
    assert [c.get("name") for c in ungraded] == [junit.LAB_ERROR_CASE]
    assert "could not be started" in (ungraded[0].find("error").get("message") or "")  # type: ignore[union-attr]


def test_junit_failure_teaches_but_hidden_checks_reveal_nothing(run: RunResult) -> None:
    text = junit.render(run)
    assert SECRET not in text
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find(".//testcase[@name='task 2: every customer | with a count']/failure")
    assert failure is not None
    assert failure.get("message") == "2 rows are missing:"
    assert "<Ada> & ```Lovelace```" in (failure.text or "") and "hint: Keep customers" in (failure.text or "")
    hidden = root.find(".//testcase[@name='task 3: guest orders stay out']/failure")
    assert hidden is not None and "details are not shown" in (hidden.get("message") or "")
    assert "\x07" not in text  # XML 1.0 cannot carry it; it is replaced


def test_junit_matches_golden(run: RunResult) -> None:
    matches_golden("junit.xml", junit.render(run) + "\n")


# Gradescope ------------------------------------------------------------------------------------
def test_gradescope_fits_the_published_field_list(run: RunResult) -> None:
    report = json.loads(gradescope.render(run))
    validate_gradescope(report)
    assert report["score"] == run.score and report["extra_data"]["max_score"] == run.max_score
    assert len(report["tests"]) == len(run.labs[0].tests) + 1  # + the lab that could not be graded
    assert SECRET not in json.dumps(report)


def test_gradescope_one_lab_numbers_by_task_and_defers_hidden_checks(run: RunResult) -> None:
    single = RunResult(labs=[run.labs[0]])
    report = json.loads(gradescope.render(single))
    validate_gradescope(report)
    by_name = {t["name"]: t for t in report["tests"]}
    failing = by_name["task 2: every customer | with a count"]
    assert failing["number"] == "2.1" and failing["status"] == "failed" and failing["max_score"] == 2
    assert failing["visibility"] == "visible" and "2 rows are missing" in failing["output"]
    hidden = by_name["task 2: every customer | with a count (hidden data)"]
    assert hidden["visibility"] == "after_published" and "details are not shown" in hidden["output"]
    assert hidden["number"] == "2.2"
    assert by_name["files are in place"]["status"] == "passed" and by_name["files are in place"]["number"] == "0.1"


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def test_gradescope_numbers_are_unique_and_in_task_order(run: RunResult) -> None:
    for graded in (run, RunResult(labs=[run.labs[0]])):
        numbers = [t["number"] for t in json.loads(gradescope.render(graded))["tests"]]
        assert len(set(numbers)) == len(numbers), numbers
        assert numbers == sorted(numbers, key=_number_key), numbers


def test_gradescope_several_labs_number_lab_dot_task(run: RunResult) -> None:
    numbers = [t.get("number") for t in json.loads(gradescope.render(run))["tests"]]
    assert "1.2.1" in numbers and "2.0.1" in numbers and "2" not in numbers


def test_gradescope_grader_fault_is_never_a_lost_point(run: RunResult) -> None:
    """An errored check can lose nothing (max_score 0) and says grading failed and will be redone."""
    report = json.loads(gradescope.render(run))
    errored = [t for t in report["tests"] if "GRADING FAILED" in t["output"]]
    assert {t["name"] for t in errored} == {"sql-joins · task 3: runs within the time limit", "redis-basics · grading"}
    for test in errored:
        assert test["score"] == 0 and test["max_score"] == 0 and "will be redone" in test["output"]
    assert report["output"].startswith("GRADING FAILED for part of this submission")
    lost = sum(t["max_score"] - t["score"] for t in report["tests"])
    failed_points = sum(c.max_points - c.points for lab in run.labs for c in lab.tests if c.status == "fail")
    assert lost == failed_points


def test_gradescope_matches_golden(run: RunResult) -> None:
    matches_golden("gradescope.json", gradescope.render(run) + "\n")


# The project's own JSON (versioned) -----------------------------------------------------------------
def test_json_keeps_its_versioned_shape(run: RunResult) -> None:
    report = json.loads(json_format.render(run))
    assert report["version"] == SCHEMA_VERSION
    assert {"score", "max_score", "labs", "status"} <= set(report)
    for lab in report["labs"]:
        assert {"id", "score", "max_score", "status", "tests"} <= set(lab)
        for test in lab["tests"]:
            assert {"name", "task", "status", "points", "max_points", "message", "visibility"} <= set(test)
    matches_golden("run.json", json_format.render(run) + "\n")


# GitHub Markdown and workflow commands ---------------------------------------------------------------
def test_github_summary_has_a_row_per_task_and_hides_hidden_details(run: RunResult) -> None:
    text = github.summary(run, commit="0123456789abcdef0123")
    assert SECRET not in text
    assert "## ⚠️ Grading: 4.5/10.5 points" in text and "`0123456789ab`" in text
    assert "| 2 | 0/1 passed | 0/1 passed | 0/4 | ❌ failed |" in text
    assert "| 3 | 0/1 passed | 0/1 passed | 0/2 | ⚠️ grader error |" in text
    assert "| other | 1/1 passed | — | 0.5/0.5 | ✅ passed |" in text
    assert "every customer \\| with a count" in text  # a pipe in a name does not break the table
    assert "````text\n2 rows are missing" in text  # a fence longer than the backticks inside
    assert "could not grade this lab" in text
    assert "\x07" not in text
    matches_golden("github_summary.md", text)


def test_github_escaping_follows_the_workflow_command_rules() -> None:
    assert github.escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github.command("error", "x: y, z\nw", file="labs/a,b.sql", line=1, title="t:1")
    assert line == "::error file=labs/a%2Cb.sql,line=1,title=t%3A1::x: y, z%0Aw"


def test_github_annotations_point_at_the_submission_file(run: RunResult) -> None:
    lines = github.annotation_lines(run)
    assert SECRET not in "\n".join(lines)
    on_file = [line for line in lines if "file=labs/sql-joins/queries/02_counts.sql,line=1" in line]
    assert len(on_file) == 1 and on_file[0].startswith("::error ")  # the hidden twin adds nothing new
    hidden_only = [line for line in lines if "file=labs/sql-joins/queries/03_guests.sql" in line]
    assert len(hidden_only) == 1 and "details are not shown" in hidden_only[0]
    assert any(line.startswith("::warning ") and "redis-basics" in line and "100%25" in line for line in lines)
    moved = github.annotation_lines(run, {"sql-joins": "labs/sql-joins/.meta/solution"})
    assert any("file=labs/sql-joins/.meta/solution/queries/02_counts.sql" in line for line in moved)


def test_github_log_report_is_redacted_and_the_run_untouched(run: RunResult) -> None:
    from rich.console import Console

    from grader.render import terminal

    shown = github.redacted(run)
    console = Console(record=True, width=200)
    terminal.render(shown, console)
    log = console.export_text()
    assert SECRET not in log and "2 rows are missing" in log
    assert SECRET in run.model_dump_json()  # the original keeps its messages (the JSON report uses them)
    assert [c.status for c in shown.labs[0].tests] == [c.status for c in run.labs[0].tests]


def test_github_outputs_are_name_value_lines(run: RunResult) -> None:
    assert github.outputs(run) == "score=4.5\nmax_score=10.5\n"


# --report FORMAT=FILE ----------------------------------------------------------------------------------
def test_report_option_parses_and_rejects_clearly() -> None:
    command = click.Command("x")
    ctx = click.Context(command)
    param = click.Option(["--report"])
    assert formats.parse_reports(ctx, param, ("junit=a.xml", "json=out/b.json")) == [
        ("junit", Path("a.xml")), ("json", Path("out/b.json"))]
    for bad in ("junit", "xml=a.xml", "junit="):
        with pytest.raises(click.BadParameter, match="FORMAT=FILE"):
            formats.parse_reports(ctx, param, (bad,))


# End to end: the real command on real PostgreSQL ------------------------------------------------------
def local_unless_configured() -> dict[str, str]:
    """The local backend, unless the environment names servers (CI gives service containers by URL)."""
    env = dict(os.environ)
    if "GRADER_BACKEND" not in env and "GRADER_POSTGRES_URL" not in env:
        env["GRADER_BACKEND"] = "local"
    return env


def test_solution_junit_has_one_testcase_per_check(tmp_path: Path) -> None:
    """`grader check sql-joins --solution --format junit`, with the JSON of the same run to count checks."""
    json_path = tmp_path / "run.json"
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "check", "sql-joins", "--solution", "--format", "junit",
         "--report", f"json={json_path}"],
        cwd=ROOT, env=local_unless_configured(), capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    root = validate_junit(done.stdout.strip())
    cases = root.findall("./testsuite/testcase")
    checks = json.loads(json_path.read_text())["labs"][0]["tests"]
    assert len(checks) > 0 and len(cases) == len(checks)
    assert all(c.find("failure") is None and c.find("error") is None for c in cases)
    assert {c.get("classname") for c in cases} == {"sql-joins"}
