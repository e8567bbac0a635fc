"""`grader check --changed [--base REF]`: which labs a change touches, in a throwaway git repository.

The repository is a copy of the sql-joins lab twice over (sql-joins and joins-copy), committed on main;
work happens on a branch, as in a pull request. GRADER_ROOT points the grader at it.
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

import pytest

from grader import changed
from grader.errors import UsageError
from grader.labs import all_labs

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
QUERY = "labs/sql-joins/queries/01_orders_with_customers.sql"
COPY_QUERY = "labs/joins-copy/queries/02_orders_per_customer.sql"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@pytest.fixture
def repo() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="grader-changed-"))
    root.chmod(0o755)  # the local servers run as an unprivileged account and read the lab files
    (root / "labs").mkdir()
    shutil.copytree(ROOT / "labs" / "datasets" / "shop", root / "labs" / "datasets" / "shop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("sql-joins", "joins-copy"):
        shutil.copytree(ROOT / "labs" / "sql-joins", root / "labs" / name, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "labs" / "course.yaml").write_text(
        "title: t\ntracks:\n  - id: sql\n    title: SQL\n    labs: [sql-joins, joins-copy]\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "course")
    git(root, "switch", "-q", "-c", "work")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def touched(repo: Path, base: str | None = None) -> list[str]:
    labs, _ = changed.select(repo, base)
    return [lab.id for lab in labs]


def edit(repo: Path, rel: str, text: str = "select 1;\n") -> None:
    (repo / rel).write_text(text)


def test_nothing_changed_means_no_lab(repo: Path) -> None:
    assert touched(repo) == []


def test_uncommitted_staged_and_committed_changes_all_count(repo: Path) -> None:
    edit(repo, QUERY)
    assert touched(repo) == ["sql-joins"]  # unstaged
    git(repo, "add", QUERY)
    assert touched(repo) == ["sql-joins"]  # staged
    git(repo, "commit", "-q", "-m", "task 1")
    assert touched(repo) == ["sql-joins"]  # committed on the branch
    edit(repo, COPY_QUERY)
    assert touched(repo) == ["sql-joins", "joins-copy"]  # course order


def test_files_that_are_not_submissions_do_not_count(repo: Path) -> None:
    edit(repo, "labs/sql-joins/README.md", "# changed\n")
    edit(repo, "labs/joins-copy/queries/notes.txt", "scratch\n")  # untracked, but not a submission file
    assert touched(repo) == []


def test_a_deleted_submission_file_counts(repo: Path) -> None:
    git(repo, "rm", "-q", COPY_QUERY)
    assert touched(repo) == ["joins-copy"]


def test_default_base_is_the_merge_base_not_the_tip_of_main(repo: Path) -> None:
    """A change that landed on main after the branch was made is not the branch's change."""
    edit(repo, QUERY)
    git(repo, "commit", "-q", "-am", "branch work")
    git(repo, "switch", "-q", "main")
    edit(repo, COPY_QUERY)
    git(repo, "commit", "-q", "-am", "main moved on")
    git(repo, "switch", "-q", "work")
    assert touched(repo) == ["sql-joins"]
    assert touched(repo, "main") == ["sql-joins", "joins-copy"]  # an explicit base is taken as given


def test_origin_head_is_preferred_in_a_clone(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))  # origin/HEAD → origin/work (the checked-out branch)
    assert changed.default_branch(clone) == "origin/work"
    git(clone, "switch", "-q", "-c", "feature")
    edit(clone, COPY_QUERY)
    assert touched(clone) == ["joins-copy"]


def test_unknown_base_and_no_repository_are_clear_errors(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--base nope: git knows no commit"):
        changed.select(repo, "nope")
    plain = tmp_path / "plain"
    shutil.copytree(repo / "labs", plain / "labs")
    with pytest.raises(UsageError, match="needs a git checkout"):
        changed.select(plain, None)


def test_changed_labs_matches_submission_paths_exactly(repo: Path) -> None:
    labs = all_labs(repo)
    files = {"labs/sql-joins/queries/01_orders_with_customers.sql.bak",
             "labs/joins-copy/queries/03_customers_without_orders.sql"}
    assert [lab.id for lab in changed.changed_labs(labs, files)] == ["joins-copy"]


# The command -------------------------------------------------------------------------------------------
def grader(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "GRADER_ROOT": str(repo)}
    if "GRADER_BACKEND" not in os.environ and "GRADER_POSTGRES_URL" not in os.environ:
        env["GRADER_BACKEND"] = "local"
    return subprocess.run([sys.executable, "-m", "grader.cli", "check", "--changed", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_command_with_no_change_says_so_and_exits_0(repo: Path, tmp_path: Path) -> None:
    done = grader(repo)
    assert done.returncode == 0, done.stderr
    assert "nothing to grade" in done.stdout
    as_json = grader(repo, "--format", "json", "--report", f"junit={tmp_path / 'r.xml'}")
    assert as_json.returncode == 0
    assert json.loads(as_json.stdout)["labs"] == []  # stdout stays a report; the message goes to stderr
    assert "nothing to grade" in as_json.stderr
    assert (tmp_path / "r.xml").is_file()  # CI's artifact upload finds its files


def test_command_usage_errors(repo: Path) -> None:
    both = grader(repo, "sql-joins")
    assert both.returncode == 2 and "--changed chooses the labs itself" in both.stderr
    bad = grader(repo, "--base", "no-such-ref")
    assert bad.returncode == 2 and "no-such-ref" in bad.stderr and "Traceback" not in bad.stderr


def test_command_grades_only_the_changed_lab(repo: Path) -> None:
    solution = repo / "labs" / "sql-joins" / ".meta" / "solution" / "queries" / "01_orders_with_customers.sql"
    edit(repo, QUERY, solution.read_text())
    done = grader(repo, "--format", "json")
    assert done.returncode == 1, done.stderr  # tasks 2-4 are still the starter
    report = json.loads(done.stdout)
    assert [lab["id"] for lab in report["labs"]] == ["sql-joins"]
    task1 = [t for t in report["labs"][0]["tests"] if t["task"] == 1]
    assert task1 and all(t["status"] == "pass" for t in task1)
    assert "grading the labs changed since the merge base with main" in done.stderr
