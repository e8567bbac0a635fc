"""What a batch grades: for every student the tree that counts (a folder, or a repository's commit at
the cut-off, exported), then per lab where its files lie, whether the lab was attempted, and the
entry's late days. No grading here: a `Job` per (student, lab) to grade, or an entry that needs none.
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch import late as late_policy
from grader.batch import layout, repos
from grader.batch.model import Commit, Entry
from grader.batch.roster import Student, safe_name
from grader.labs import Lab
from grader.spec import LatePolicy


@dataclass
class Tree:
    """A student's files as graded: where they are, the commit (for a repository), or why there are none."""

    student: Student
    folder: Path | None
    commit: Commit | None = None
    later: list[Commit] = field(default_factory=list)
    late_days: int = 0
    problem: str = ""


@dataclass
class Job:
    entry: Entry
    lab: Lab
    folder: Path | None  # where the lab's submission files lie; None: nothing to grade


def _commit_time(commit: Commit) -> datetime.datetime:
    return datetime.datetime.fromisoformat(commit.time.replace("Z", "+00:00"))


def tree(student: Student, scratch: Path, clones: Path, deadline: datetime.datetime | None,
         policy: LatePolicy | None) -> Tree:
    if not student.is_git:
        return Tree(student, Path(student.source))
    own_deadline = (late_policy.student_deadline(deadline, policy, student.id, student.extension_days)
                    if deadline else None)
    try:
        repository = repos.local_repository(student, clones)
        checkout = repos.choose(repository, late_policy.cut_off(own_deadline, policy) if own_deadline else None)
        if checkout.commit is None:
            return Tree(student, None, later=checkout.later,
                        problem="no commit before the deadline" if checkout.later else "the repository has no commits")
        target = Path(tempfile.mkdtemp(prefix=f"{safe_name(student.id)}-", dir=scratch))
        repos.export(repository, checkout.commit.sha, target)
    except repos.RepositoryProblem as exc:
        return Tree(student, None, problem=f"the repository could not be read: {exc}")
    days = late_policy.late_days(_commit_time(checkout.commit), own_deadline) if own_deadline else 0
    return Tree(student, target, checkout.commit, checkout.later, days)


def _entry(tree: Tree, lab: Lab) -> Entry:
    return Entry(student=tree.student.id, lab=lab.id, status="missing", commit=tree.commit,
                 not_graded_commits=tree.later, late_days=tree.late_days)


def lab_folders(tree: Tree, labs: list[Lab], scratch: Path) -> dict[str, Path | None]:
    if tree.folder is None:
        return {lab.id: None for lab in labs}
    return {lab.id: layout.lab_folder(tree.folder, lab) or layout.flattened(tree.folder, lab, scratch)
            for lab in labs}


NO_LAB = "-"  # the lab of a row for a student whose files could not be had at all (labs not named)


def jobs(tree: Tree, labs: list[Lab], folders: dict[str, Path | None], explicit: bool) -> list[Job]:
    """Named labs: a job per lab, and a lab without files is a row that says so. Otherwise: a job per
    lab the student changed from the starter (a student whose files could not be had: one row)."""
    out = []
    for lab in labs:
        folder = folders[lab.id]
        if not explicit and (folder is None or layout.unchanged(folder, lab)):
            continue
        entry = _entry(tree, lab)
        if folder is None:
            entry.reason = tree.problem or (f"no submission files for {lab.id} (expected labs/{lab.id}/"
                                            f"{lab.spec.submission[0]} or the files themselves)")
            entry.status = "error" if tree.problem.startswith("the repository could not") else "missing"
        out.append(Job(entry, lab, folder))
    if not out and tree.problem and not explicit:
        entry = Entry(student=tree.student.id, lab=NO_LAB, status="error" if "could not" in tree.problem
                      else "missing", reason=tree.problem, not_graded_commits=tree.later)
        out.append(Job(entry, labs[0], None))
    return out
