"""A student's git repository at the commit that counts: the last one not after their cut-off.

Commit time is the committer time git records. Commits after the cut-off are listed (reported, not
graded). URLs are cloned bare into the instructor's state folder and fetched again on later runs;
local repositories are read in place. The chosen commit's tree is exported with `git archive` into
a private folder, from which `grader.submission.stage` later copies only the submission files.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch.model import Commit
from grader.batch.roster import Student, safe_name

GIT_TIMEOUT_S = 300


class RepositoryProblem(Exception):
    """The repository could not be read (the student's row says why; the batch goes on)."""


@dataclass(frozen=True)
class Checkout:
    commit: Commit | None
    later: list[Commit] = field(default_factory=list)


def _git(*args: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_S, check=False,
                              env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin",
                                   "HOME": "/nonexistent", "GIT_CONFIG_NOSYSTEM": "1"})
    except FileNotFoundError:
        raise RepositoryProblem("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise RepositoryProblem(f"git {args[0]} took longer than {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise RepositoryProblem(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode(errors="replace")


def local_repository(student: Student, clones: Path) -> Path:
    """The repository to read: the local one, or a bare clone of the URL (fetched again if present)."""
    if "://" not in student.source and not student.source.startswith("git@"):
        path = Path(student.source)
        if not path.exists():
            raise RepositoryProblem(f"no repository at {path}")
        return path
    clone = clones / f"{safe_name(student.id)}-{hashlib.sha256(student.source.encode()).hexdigest()[:10]}.git"
    if clone.is_dir():
        _git("fetch", "--quiet", "--force", "origin", "+HEAD:HEAD", cwd=clone)
    else:
        clones.mkdir(parents=True, exist_ok=True)
        _git("clone", "--quiet", "--bare", student.source, str(clone))
    return clone


def _iso(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).isoformat().replace("+00:00", "Z")


def choose(repository: Path, cut_off: datetime.datetime | None) -> Checkout:
    """HEAD's newest commit not after `cut_off` (HEAD itself without one); the newer ones, listed."""
    try:
        log = _git("log", "--format=%H%x09%ct%x09%s", "HEAD", cwd=repository)
    except RepositoryProblem as exc:
        raise RepositoryProblem(f"no commits to grade ({exc})") from None
    commits = []
    for line in log.splitlines():
        sha, stamp, subject = [*line.split("\t", 2), ""][:3]
        commits.append((int(stamp), Commit(sha=sha, time=_iso(int(stamp)), subject=subject)))
    if cut_off is None:
        return Checkout(commits[0][1] if commits else None)
    limit = cut_off.timestamp()
    graded = max((c for c in commits if c[0] <= limit), key=lambda c: c[0], default=None)
    later = sorted((c for c in commits if c[0] > limit), key=lambda c: c[0])
    return Checkout(graded[1] if graded else None, [c[1] for c in later])


def export(repository: Path, commit: str, target: Path) -> None:
    """The commit's files into `target` (links and devices are not followed: tar's data filter)."""
    try:
        done = subprocess.run(["git", "archive", "--format=tar", commit], cwd=repository, capture_output=True,
                              timeout=GIT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise RepositoryProblem(f"git archive took longer than {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        raise RepositoryProblem(f"git archive failed: {done.stderr.decode(errors='replace').strip()}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        tar.extractall(target, filter="data")
