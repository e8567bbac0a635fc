"""What the learner sees around a check's report: revealed hints in the feedback, progress, "next:"."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from grader import labs as lab_index
from grader.errors import GraderError, UsageError
from grader.labs import Lab
from grader.learner import hints, progress, tasks
from grader.learner.next_step import advice
from grader.render.terminal import HintNote
from grader.results import RunResult


def hint_note(root: Path) -> HintNote:
    """Feedback says a hint exists (and shows the levels already asked for) instead of printing it."""

    def note(lab_id: str, task: int) -> list[str]:
        try:
            return hints.note(lab_index.load(lab_id, root), task, root)
        except GraderError:
            return []

    return note


def conclude(run: RunResult, root: Path, task: int | None, own_files: bool, console: Console | None) -> None:
    """Record the learner's own results; print "next:" when there is a console to print to."""
    state = progress.record(run.labs, root, task) if own_files else progress.load(root)
    if console is not None:
        console.print(f"[bold]next:[/] {escape(advice(run, state, lab_index.course(root), root, task))}")


def which_lab(root: Path) -> str:
    """The fix for a command given no lab: the lab the learner is on, else where to find one."""
    current = progress.load(root).current
    on = f"grader check {current} (the lab you are on); " if current else ""
    return f"{on}grader list shows every lab, grader progress what is unlocked; --all grades them all"


def current_lab(root: Path, command: str) -> str:
    current = progress.load(root).current
    if current is None:
        raise UsageError(f"which lab? grader {command} needs a lab id until you have checked one",
                         f"grader {command} sql-joins (any id from grader list)")
    return current


def require_task(labs: list[Lab], task: int) -> None:
    if len(labs) != 1:
        raise UsageError("--task N grades one task of one lab", "name exactly one lab: grader check LAB --task N")
    tasks.require(labs[0], task)


def show_hints(lab: Lab, root: Path, task: int | None, everything: bool, console: Console) -> None:
    """Reveal and print hints; the footer says whether more levels exist and how to see them."""
    if task is None and everything:
        numbers = sorted(lab.spec.hints)
        if not numbers:
            raise UsageError(f"{lab.id} has no hints", f"re-read the task (grader show {lab.id})")
    else:
        numbers = [task if task is not None else hints.default_task(lab, progress.load(root))]
    for number in numbers:
        shown = hints.reveal(lab, number, everything, root)
        console.print(f"[bold]{escape(tasks.label(lab, number))}[/]")
        for level, text in enumerate(shown.levels, 1):
            console.print(f"  hint {level}/{shown.total}: {escape(text)}", soft_wrap=True)
        left = shown.total - len(shown.levels)
        if left:
            console.print(f"  {left} more: [cyan]grader hint {lab.id} {number}[/] (or --all)")
        elif not everything:
            console.print("  that is every hint for this task")
    console.print(f"[bold]next:[/] edit your file, then [cyan]grader check {lab.id}"
                  f"{f' --task {numbers[0]}' if len(numbers) == 1 else ''}[/]")


def reset(lab: Lab, root: Path, files: bool, db: bool, console: Console) -> None:
    from grader.learner import reset as resetting

    if files:
        outcome = resetting.reset_files(lab, root)
        for name in outcome.restored:
            console.print(f"restored the starter: labs/{lab.id}/{name}")
        if outcome.unchanged:
            console.print(f"already the starter: {', '.join(outcome.unchanged)}")
        if outcome.backup is not None:
            console.print(f"your version is kept in {outcome.backup.relative_to(root)}/")
    if db:
        for ground in resetting.reset_db(lab, root):
            if ground.url:
                done = "emptied" if ground.service == "redis" else "re-seeded"
                console.print(f"{ground.service}: playground {done}; explore it: [cyan]{escape(ground.explore)}[/]",
                              soft_wrap=True)
