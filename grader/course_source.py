"""Where the trusted course comes from: the one place that knows.

A grading run has two inputs: the course (course.yaml, lab.yaml, README, tests, .meta/, datasets)
and the submission (grader.submission). The course comes from exactly one of:
  - the checkout — local `grader check`: a learner can only fool themselves;
  - a git ref's objects — PR grading (`--changed`) and `--course REF`: `git archive` of the ref into a
    private folder, so nothing the change edits (tests, lab.yaml, .meta, a conftest.py) is seen;
  - a folder — `--course DIR` (an instructor's copy of the course);
and any of them may have a grading bundle laid over it (`--bundle FILE`), on a private copy.
The rest of the grader asks the resulting `Course` for its root and never checks the mode itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader import bundle as bundles
from grader.errors import UsageError

RELEASE_FILE = "labs/release.json"  # in a student edition: what was released, and the record key


@dataclass(frozen=True)
class Course:
    root: Path  # a folder holding labs/course.yaml
    description: str  # printed in every report
    keys: bundles.Keys | None = None  # from a grading bundle: hidden-variant secret, record key

    @property
    def secret(self) -> str | None:
        return self.keys.secret if self.keys else None

    @property
    def record_key(self) -> str | None:
        """The public key that verifies reference records, when this course is a student edition."""
        release = self.root / RELEASE_FILE
        if not release.is_file():
            return None
        try:
            return str(json.loads(release.read_text(encoding="utf-8"))["public_key"])
        except (ValueError, KeyError, TypeError):
            raise UsageError(f"{release} is damaged: it holds no public_key",
                             "restore it from the edition (git checkout labs/release.json)") from None


def _private_folder(stack: contextlib.ExitStack, prefix: str) -> Path:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=prefix)))
    folder.chmod(0o755)  # local servers run as an unprivileged account and may read course files
    return folder


def _git_archive(repo: Path, ref: str, target: Path) -> str:
    """Extract `labs/` of `ref` into `target`; the commit it resolved to."""
    def git(*args: str) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False, timeout=120)
        except FileNotFoundError:
            raise UsageError("taking the course from a git ref needs git, which is not installed",
                             "install git, or pass --course DIR") from None

    resolved = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if resolved.returncode != 0:
        raise UsageError(f"--course {ref}: neither a folder nor a commit git knows in {repo}",
                         "name a folder holding labs/course.yaml, or fetch the ref first (git fetch origin)")
    commit = resolved.stdout.decode().strip()
    archive = git("archive", "--format=tar", commit, "--", "labs")
    if archive.returncode != 0:
        raise UsageError(f"{ref} ({commit[:12]}) has no labs/ folder: {archive.stderr.decode().strip()}",
                         "take the course from a commit of the course repository")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return commit


def _copy_labs(origin: Path, target: Path) -> None:
    shutil.copytree(origin / "labs", target / "labs", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".grader"))


def _has_course(folder: Path) -> bool:
    return (folder / "labs" / "course.yaml").is_file()


@contextlib.contextmanager
def open_course(checkout: Path, *, course: str | None = None, base_commit: str | None = None,
                bundle: Path | None = None) -> Iterator[Course]:
    """The course for one run. `base_commit` (PR grading) or `course` (a folder or a git ref) pick the
    source; otherwise the checkout. A `bundle` is laid over a private copy of it."""
    with contextlib.ExitStack() as stack:
        if base_commit is not None or (course is not None and not Path(course).is_dir()):
            ref = base_commit or str(course)
            root = _private_folder(stack, "grader-course-")
            commit = _git_archive(checkout, ref, root)
            shown = "the base ref" if base_commit is not None else ref
            description = f"git objects of {shown} (commit {commit[:12]}), not the files of the change"
            private = True
        elif course is not None:
            root = Path(course).resolve()
            if not _has_course(root):
                raise UsageError(f"--course {course}: no labs/course.yaml in that folder",
                                 "name the root of a course (the folder that holds labs/)")
            description = f"the folder {root}"
            private = False
        else:
            root = checkout
            description = f"the checkout {checkout}"
            private = False
        keys = None
        if bundle is not None:
            opened = bundles.read(bundle)
            if not private:  # never lay a bundle over someone's folder: over a private copy of it
                copy = _private_folder(stack, "grader-course-")
                _copy_labs(root, copy)
                root = copy
            bundles.lay_over(opened, root / "labs")
            keys = opened.keys
            digest = hashlib.sha256(bundle.read_bytes()).hexdigest()[:12]
            description += f" + grading bundle {bundle.name} (sha256 {digest})"
        yield Course(root, description, keys)
