"""PR grading takes the course from the base ref: a pull request that edits anything but its submission
files gets the same grade as without those edits, and a warning that lists them.

A throwaway git repository holds the sql-joins lab on `main`. The pull request (branch `work`) submits
a known-wrong query for task 2 (the lab's own wrong case) and the real one for task 1. A second commit
tries every way around the boundary the issue lists: public tests that always pass, hidden checks
that always pass, the wrong query copied into the reference, lab.yaml with other limits, hints and a
submission list that names the tests, and a conftest.py in every folder (which would leave a marker
file if it were ever imported). Real servers, real `grader check --changed`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.submission import stage

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "labs" / "sql-joins"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
Q1 = "queries/01_orders_with_customers.sql"
Q2 = "queries/02_orders_per_customer.sql"
COURSE = "title: t\ntracks:\n  - id: sql\n    title: SQL\n    labs: [sql-joins]\n"
ALWAYS_PASSES = '''import pytest


@pytest.mark.task(2)
@pytest.mark.points(50)
def test_everything_is_fine(variant):
    """free points"""
'''


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def grader(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **GIT_ENV, "GRADER_ROOT": str(repo), **(env or {})}
    if "GRADER_BACKEND" not in os.environ and "GRADER_POSTGRES_URL" not in os.environ:
        environment["GRADER_BACKEND"] = "local"
    for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_EVENT_PATH", "GRADER_PR_NUMBER"):
        environment.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "grader.cli", "check", *args], cwd=repo, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr + done.stdout
    return done


def report(repo: Path, *args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(grader(repo, *args, "--format", "json").stdout)
    return document


def outcome(report: dict[str, Any]) -> list[tuple[str, str, float]]:
    return sorted((t["name"], t["status"], t["points"]) for lab in report["labs"] for t in lab["tests"])


@pytest.fixture(scope="module")
def repo() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="grader-trust-"))
    root.chmod(0o755)  # the local servers run as an unprivileged account
    shutil.copytree(ROOT / "labs" / "datasets" / "shop", root / "labs" / "datasets" / "shop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(LAB, root / "labs" / "sql-joins", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "labs" / "course.yaml").write_text(COURSE)
    shutil.copyfile(ROOT / ".gitignore", root / ".gitignore")  # as in a clone: the grader's .grader/ state is ignored
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "course")
    git(root, "switch", "-q", "-c", "work")
    lab = root / "labs" / "sql-joins"
    shutil.copyfile(LAB / ".meta" / "solution" / Q1, lab / Q1)
    shutil.copyfile(LAB / ".meta" / "wrong" / "count-star" / Q2, lab / Q2)
    git(root, "commit", "-q", "-am", "tasks 1 and 2")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def tamper(repo: Path, marker: Path) -> list[str]:
    """Every edit outside the submission the issue lists; the paths it changed."""
    lab = repo / "labs" / "sql-joins"
    (lab / "tests" / "test_joins.py").write_text(ALWAYS_PASSES)
    (lab / ".meta" / "hidden" / "test_joins_edge_cases.py").write_text(ALWAYS_PASSES)
    shutil.copyfile(lab / Q2, lab / ".meta" / "solution" / Q2)  # the wrong answer becomes "the reference"
    spec = (lab / "lab.yaml").read_text()
    spec = spec.replace("statement_timeout_ms: 3000", "statement_timeout_ms: 1")
    spec = spec.replace("  - queries/04_product_sales.sql", "  - queries/04_product_sales.sql\n  - tests/test_joins.py")
    (lab / "lab.yaml").write_text(spec.replace("hints:", "hints:\n  9: tampered"))
    conftest = (f"import pathlib\npathlib.Path({str(marker)!r}).write_text('imported')\n"
                "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
                "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n")
    places = [repo, repo / "labs", lab, lab / "tests", lab / "queries", lab / ".meta" / "hidden"]
    for folder in places:
        (folder / "conftest.py").write_text(conftest)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "help myself")
    return ["labs/sql-joins/tests/test_joins.py", "labs/sql-joins/.meta/hidden/test_joins_edge_cases.py",
            f"labs/sql-joins/.meta/solution/{Q2}", "labs/sql-joins/lab.yaml",
            *(str((folder / "conftest.py").relative_to(repo)) for folder in places)]


def test_a_pr_that_edits_the_course_is_graded_as_without_the_edits(repo: Path, tmp_path: Path) -> None:
    honest = report(repo, "--changed", "--base", "main")
    assert honest["status"] == "fail" and 0 < honest["score"] < honest["max_score"]  # task 2 is wrong
    assert "git objects of the base ref" in honest["course"]
    assert "warnings" not in honest

    marker = tmp_path / "conftest-was-imported"
    edited = tamper(repo, marker)
    (repo / "labs" / "sql-joins" / "README.md").write_text("# edited task text\n")  # uncommitted edits count too
    local = report(repo, "sql-joins")  # the same tree graded with its own course: the edits would pay off
    assert local["score"] > honest["score"] and marker.exists()
    marker.unlink()

    summary, results = tmp_path / "summary.md", tmp_path / "results.json"
    done = grader(repo, "--changed", "--base", "main", "--format", "github", "--output", str(results),
                  env={"GITHUB_STEP_SUMMARY": str(summary)})
    graded = json.loads(results.read_text())
    assert outcome(graded) == outcome(honest)
    assert (graded["score"], graded["max_score"]) == (honest["score"], honest["max_score"])
    assert not marker.exists(), "a conftest.py from the pull request was imported"
    (warning,) = graded["warnings"]
    assert "outside the submission" in warning
    for path in [*edited, "labs/sql-joins/README.md"]:
        assert path in warning
    assert "::warning title=not graded::" in done.stdout  # an annotation
    text = summary.read_text()  # and a line of the job summary
    assert "Course: git objects of the base ref" in text and "outside the submission" in text


def test_staging_copies_only_the_named_regular_files(tmp_path: Path) -> None:
    learner = tmp_path / "learner"
    (learner / "queries").mkdir(parents=True)
    (learner / "queries" / "a.sql").write_text("select 1;")
    (learner / "conftest.py").write_text("raise SystemExit")
    (learner / "queries" / "b.sql").symlink_to(LAB / ".meta" / "solution" / Q1)
    with stage(["queries/a.sql", "queries/b.sql", "queries/c.sql"], learner) as staged:
        files = sorted(p.relative_to(staged.folder).as_posix() for p in staged.folder.rglob("*") if p.is_file())
        assert files == ["queries/a.sql"]
        assert staged.left_out == {"queries/b.sql": "is a symbolic link; submit the file itself"}
        assert [p.status for p in staged.problems()] == ["fail"]
    assert not staged.folder.exists()
