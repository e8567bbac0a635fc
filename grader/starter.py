"""A lab's starter as git has it: the committed version of its submission files, not the working tree.

An author who solved a lab in place, or a learner who edited the starter, still has the starter
in git. `grader dev check` proves the committed starter; `grader reset` restores the learner's.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from grader.labs import Lab

REMOTE_DEFAULTS = ("origin/HEAD", "origin/main", "origin/master")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return subprocess.CompletedProcess(["git", *args], 128, b"", b"git is not available")


def commit_for(lab: Lab, learner: bool) -> str | None:
    """The commit whose version is the starter: HEAD for authors; for a learner, the commit their
    clone started from (the merge base with origin's default branch) when there is a remote, so
    that starter files they committed over are still found; None outside a git checkout."""
    if _git(lab.path, "rev-parse", "--is-inside-work-tree").returncode != 0:
        return None
    if learner:
        for ref in REMOTE_DEFAULTS:
            base = _git(lab.path, "merge-base", "HEAD", ref)
            if base.returncode == 0 and base.stdout.strip():
                return base.stdout.decode().strip()
    head = _git(lab.path, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    return head.stdout.decode().strip() if head.returncode == 0 else None


def committed_file(lab: Lab, name: str, commit: str) -> bytes | None:
    """The file's content at `commit` (path relative to the lab folder), or None if it is not there."""
    shown = _git(lab.path, "show", f"{commit}:./{name}")
    return shown.stdout if shown.returncode == 0 else None


@dataclass
class Starter:
    files: dict[str, bytes] = field(default_factory=dict)  # submission file -> committed content
    uncommitted: list[str] = field(default_factory=list)  # submission files git does not have
    commit: str | None = None


def starter(lab: Lab, learner: bool = False) -> Starter:
    commit = commit_for(lab, learner)
    found = Starter(commit=commit)
    for name in lab.spec.submission:
        content = committed_file(lab, name, commit) if commit else None
        if content is None:
            found.uncommitted.append(name)
        else:
            found.files[name] = content
    return found


def write(found: Starter, lab: Lab, dest: Path) -> list[str]:
    """Lay the committed starter into `dest`; files git lacks are copied from the lab folder (their names returned)."""
    for name, content in found.files.items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    for name in found.uncommitted:
        source = lab.path / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    return found.uncommitted
