"""Which labs a change touches: those whose submission files (lab.yaml `submission:`) differ from a base.

Git answers, through its command line: `git diff --name-only BASE` compares BASE with the work tree,
so committed, staged and unstaged changes all count; untracked files count too. Without --base the
base is the merge base of HEAD with the default branch (origin/HEAD, else main or master, remote first).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from grader.errors import UsageError
from grader.labs import Lab, all_labs

DEFAULT_BRANCH_GUESSES = ("origin/main", "origin/master", "main", "master")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False, timeout=60)
    except FileNotFoundError:
        raise UsageError("--changed needs git, which is not installed",
                         "install git, or name the labs to grade") from None


def _verified(root: Path, ref: str) -> bool:
    return _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode == 0


def default_branch(root: Path) -> str | None:
    """origin/HEAD's target if the clone knows it, else the first of origin/main, origin/master, main, master."""
    head = _git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if head.returncode == 0 and head.stdout.strip() and _verified(root, head.stdout.strip()):
        return head.stdout.strip()
    return next((ref for ref in DEFAULT_BRANCH_GUESSES if _verified(root, ref)), None)


def resolve_base(root: Path, base: str | None) -> str:
    """The commit to compare with, as a full hash (explicit --base, else the merge base)."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise UsageError(f"--changed needs a git checkout, and {root} is not one",
                         "run it inside a clone of the course repository, or name the labs to grade")
    if base is not None:
        if not _verified(root, base):
            raise UsageError(f"--base {base}: git knows no commit by that name",
                             "fetch it first (git fetch origin; in GitHub Actions: checkout with fetch-depth: 0)")
        return _git(root, "rev-parse", f"{base}^{{commit}}").stdout.strip()
    branch = default_branch(root)
    if branch is None:
        raise UsageError("--changed found no default branch to compare with (no origin/HEAD, main or master)",
                         "pass --base REF, e.g. --base origin/main")
    merge_base = _git(root, "merge-base", "HEAD", branch)
    if merge_base.returncode != 0:
        raise UsageError(f"HEAD and {branch} have no common commit (a shallow clone?)",
                         "fetch the history (git fetch --unshallow; in GitHub Actions: fetch-depth: 0) or pass --base")
    return merge_base.stdout.strip()


def changed_files(root: Path, base: str) -> set[str]:
    """Paths relative to `root` that differ from `base` in the work tree, or are new and untracked."""
    diff = _git(root, "diff", "--name-only", "--no-renames", "--relative", "-z", base, "--")
    if diff.returncode != 0:
        raise UsageError(f"git diff against {base} failed: {diff.stderr.strip()}", "check the --base reference")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z")
    names = diff.stdout.split("\0") + (untracked.stdout.split("\0") if untracked.returncode == 0 else [])
    return {name for name in names if name}


def _submission_paths(lab: Lab) -> set[str]:
    return {f"labs/{lab.id}/{name}" for name in lab.spec.submission}


def changed_labs(labs: list[Lab], files: set[str]) -> list[Lab]:
    """The labs, in the order given, with at least one submission file among `files`."""
    return [lab for lab in labs if _submission_paths(lab) & files]


def outside_submission(labs: list[Lab], files: set[str]) -> list[str]:
    """Changed files that no lab's (trusted) lab.yaml names as a submission file: never graded."""
    allowed = set().union(*(_submission_paths(lab) for lab in labs)) if labs else set()
    return sorted(files - allowed)


def describe(root: Path, base: str | None, commit: str) -> str:
    return f"{base} ({commit[:12]})" if base else f"the merge base with {default_branch(root)} ({commit[:12]})"


def outside_warning(files: list[str], shown: int = 12) -> str:
    listed = ", ".join(files[:shown]) + (f" … and {len(files) - shown} more" if len(files) > shown else "")
    return (f"this change edits {len(files)} file(s) outside the submission, which grading ignores "
            f"(the course comes from the base ref; only lab.yaml `submission:` files are graded): {listed}")


def select(root: Path, base: str | None, course_root: Path | None = None) -> tuple[list[Lab], str]:
    """The course's labs that the change touches, and a description of what they were compared with.
    The labs (and their submission lists) come from `course_root`, by default the checkout itself."""
    commit = resolve_base(root, base)
    labs = changed_labs(all_labs(course_root or root), changed_files(root, commit))
    return labs, describe(root, base, commit)
