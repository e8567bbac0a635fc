"""The learner's state without servers: progress.json round trip, hint levels in lab.yaml, the committed
starter, remembered failed pulls, and the compact table of `check --all`."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console

from grader import labs as lab_index
from grader.errors import SpecError
from grader.learner import progress
from grader.learner.next_step import advice
from grader.prove import materialise
from grader.render import terminal
from grader.results import CheckResult, LabResult, RunResult
from grader.services import pull_memory
from grader.spec import load_lab
from grader.words import count
from tests.helpers import copy_of_repo

VALID = "title: t\ntrack: sql\nsubmission: [a.sql]\n"


def lab_result(lab_id: str, statuses: dict[int, str]) -> LabResult:
    tests = [CheckResult(name=f"t{task}", task=task, status=status, points=2.0 if status == "pass" else 0.0,
                         max_points=2.0) for task, status in statuses.items()]  # type: ignore[arg-type]
    return LabResult(id=lab_id, title=lab_id, tests=tests).finish()


@pytest.fixture
def root() -> Path:
    scratch = copy_of_repo(["sql-joins", "sql-aggregates"])
    (scratch / "labs" / "course.yaml").write_text(
        "title: t\ntracks:\n  - id: sql\n    title: SQL\n    labs: [sql-joins, sql-aggregates]\n"
        "prerequisites:\n  sql-aggregates: [sql-joins]\n")
    yield scratch
    shutil.rmtree(scratch, ignore_errors=True)


def test_progress_round_trip_keeps_the_best_score_and_its_date(root: Path) -> None:
    monday, tuesday = datetime(2025, 3, 3, 10, 0), datetime(2025, 3, 4, 9, 30)
    progress.record([lab_result("sql-joins", {1: "pass", 2: "pass", 3: "fail"})], root, now=monday)
    progress.record([lab_result("sql-joins", {1: "pass", 2: "fail", 3: "fail"})], root, now=tuesday)
    loaded = progress.load(root)
    entry = loaded.of("sql-joins")
    assert (entry.best, entry.max, entry.best_at) == (4.0, 6.0, "2025-03-03T10:00:00")
    assert (entry.last, entry.last_at) == (2.0, "2025-03-04T09:30:00")
    assert entry.tasks == {1: "pass", 2: "fail", 3: "fail"} and loaded.current == "sql-joins"
    assert loaded.missing_prerequisites(lab_index.course(root), "sql-aggregates") == ["sql-joins"]
    progress.record([lab_result("sql-joins", {1: "pass", 2: "pass", 3: "pass"})], root, now=tuesday)
    assert progress.load(root).of("sql-joins").done
    assert progress.load(root).missing_prerequisites(lab_index.course(root), "sql-aggregates") == []


def test_a_grader_error_records_nothing(root: Path) -> None:
    broken = LabResult(id="sql-joins", message="postgres did not start").finish()
    progress.record([broken], root)
    assert progress.load(root).labs == {}


def test_a_broken_progress_file_counts_as_empty(root: Path) -> None:
    progress.path(root).write_text("{not json")
    assert progress.load(root).labs == {}


def test_next_names_the_first_failing_task_then_the_next_lab(root: Path) -> None:
    course = lab_index.course(root)
    run = RunResult(labs=[lab_result("sql-joins", {1: "pass", 2: "fail", 3: "fail"})])
    line = advice(run, progress.load(root), course, root)
    assert line.startswith("task 2 (Number of orders per customer)") and "grader hint sql-joins 2" in line
    run = RunResult(labs=[lab_result("sql-joins", {1: "pass", 2: "pass"})])
    state = progress.record(run.labs, root)
    assert "Next lab: sql-aggregates" in advice(run, state, course, root)


def test_hints_are_one_text_or_ordered_levels(tmp_path: Path) -> None:
    path = tmp_path / "lab.yaml"
    path.write_text(VALID + "hints:\n  1: one text\n  2: [gentle, clearer, the shape]\n")
    spec = load_lab(path)
    assert spec.hint_levels(1) == ["one text"] and spec.hint_levels(2) == ["gentle", "clearer", "the shape"]
    assert spec.hint_levels(3) == [] and spec.first_hints() == {1: "one text", 2: "gentle"}
    path.write_text(VALID + "hints:\n  1: []\n")
    with pytest.raises(SpecError, match="hint levels"):
        load_lab(path)


def test_dev_check_takes_the_starter_from_git_not_the_working_tree(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "c"], cwd=root,
                   check=True)
    lab = lab_index.load("sql-joins", root)
    query = lab.path / "queries" / "01_orders_with_customers.sql"
    committed = query.read_text()
    query.write_text((lab.solution_dir / "queries" / query.name).read_text())  # the author solved it in place
    with materialise(lab, "starter", lab.path) as submission:
        assert (submission.folder / "queries" / query.name).read_text() == committed
        assert sorted(p.name for p in (submission.folder / "queries").iterdir()) == sorted(
            Path(name).name for name in lab.spec.submission)


def test_a_failed_pull_is_remembered_for_a_while(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_ROOT", str(root))
    pull_memory.remember_failure("mongo:7", "registry unreachable", now=1000.0)
    recent = pull_memory.recent_failure("mongo:7", now=1000.0 + 60)
    assert recent is not None and "registry unreachable" in recent and "GRADER_DOCKER_PULL=always" in recent
    assert pull_memory.recent_failure("mongo:7", now=1000.0 + pull_memory.RETRY_AFTER_S + 1) is None
    pull_memory.forget("mongo:7")
    assert pull_memory.recent_failure("mongo:7", now=1001.0) is None


def test_check_all_ends_with_one_row_per_lab() -> None:
    run = RunResult(labs=[lab_result("sql-joins", {1: "pass"}), lab_result("sql-dml", {1: "fail", 2: "pass"})])
    out = io.StringIO()
    terminal.render(run, Console(file=out, width=100), compact=True)
    text = out.getvalue()
    assert "sql-joins" in text and "2/2" in text and "sql-dml" in text and "2/4" in text and "Total: 4/6" in text
    assert "What to fix" not in text and len(text.splitlines()) < 10


def test_what_to_fix_is_in_task_order() -> None:
    lab = LabResult(id="x", tests=[CheckResult(name="a", task=3, status="fail", message="MSG-THREE"),
                                   CheckResult(name="b", task=1, status="fail", message="MSG-ONE")]).finish()
    out = io.StringIO()
    Console(file=out, width=100).print(terminal.lab_panel(lab))
    assert out.getvalue().index("MSG-ONE") < out.getvalue().index("MSG-THREE")


def test_counts_read_as_english() -> None:
    assert count(1, "document") == "1 document" and count(3, "document") == "3 documents"
    assert count(1, "hidden check") == "1 hidden check" and count(0, "row") == "0 rows"
