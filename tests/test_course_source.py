"""Where the course comes from (no servers): a folder, a git ref's objects, a bundle over a private copy."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from grader import bundle as bundles
from grader.course_source import open_course
from grader.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def course_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "labs" / "sql-joins", repo / "labs" / "sql-joins", ignore=shutil.ignore_patterns("__py*"))
    (repo / "labs" / "course.yaml").write_text("title: t\ntracks:\n  - {id: s, title: S, labs: [sql-joins]}\n")
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "c"]):
        subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)
    return repo


def test_a_ref_gives_the_committed_course_not_the_work_tree(tmp_path: Path) -> None:
    repo = course_repo(tmp_path)
    test_file = repo / "labs" / "sql-joins" / "tests" / "test_joins.py"
    committed = test_file.read_text()
    test_file.write_text("# edited\n")
    (repo / "labs" / "sql-joins" / "conftest.py").write_text("raise SystemExit\n")
    with open_course(repo, course="main") as course:
        assert course.root != repo and "git objects of main" in course.description
        assert (course.root / "labs" / "sql-joins" / "tests" / "test_joins.py").read_text() == committed
        assert not (course.root / "labs" / "sql-joins" / "conftest.py").exists()
        kept = course.root
    assert not kept.exists()  # a private folder, removed after the run


def test_a_bundle_is_laid_over_a_private_copy_of_a_folder(tmp_path: Path) -> None:
    repo = course_repo(tmp_path)
    keys = bundles.new_keys()
    bundle = bundles.write(tmp_path / "b.bundle", repo / "labs", ["sql-joins"], keys)
    assert (tmp_path / "b.bundle").stat().st_mode & 0o077 == 0
    shutil.rmtree(repo / "labs" / "sql-joins" / ".meta")  # an edition: no .meta
    with open_course(repo, course=str(repo), bundle=bundle.path) as course:
        assert course.root != repo and course.secret == keys.secret
        assert (course.root / "labs" / "sql-joins" / ".meta" / "solution").is_dir()
        assert "the folder" in course.description and "grading bundle b.bundle" in course.description
    assert not (repo / "labs" / "sql-joins" / ".meta").exists()  # the folder itself is never written


def test_bad_sources_are_clear_errors(tmp_path: Path) -> None:
    repo = course_repo(tmp_path)
    with pytest.raises(UsageError, match="neither a folder nor a commit"), open_course(repo, course="nope"):
        pass
    (tmp_path / "not-a-bundle").write_text("x")
    with pytest.raises(UsageError, match="not a grading bundle"), \
            open_course(repo, bundle=tmp_path / "not-a-bundle"):
        pass
