"""`grader watch [LAB]`: re-grade on every save of a submission file and show the current state.

Services are started once for the whole watch (or reused when warm) and every grade is a normal
check: progress is recorded and the screen ends with "next:". Each screen starts with what
changed since the previous grade ("task 2 now passes").
"""

from __future__ import annotations

import time
from pathlib import Path

import watchfiles
from rich.console import Console
from rich.markup import escape

from grader.labs import Lab
from grader.learner import progress as progress_store
from grader.learner.next_step import advice
from grader.learner.progress import task_states
from grader.render import terminal
from grader.results import LabResult, RunResult, Status
from grader.runner import grade, submission_for
from grader.services.session import ServicePool
from grader.spec import CourseSpec

DEBOUNCE_MS = 300  # editors write a file in several steps; one grade per save
POLL_MS = 1000  # also compare contents this often: catches a save made while a grade was running


def changes(before: dict[int, Status] | None, after: dict[int, Status]) -> list[str]:
    """What a learner wants to know first after saving: which tasks flipped."""
    if before is None:
        return []
    lines = []
    for task, state in sorted(after.items()):
        old = before.get(task)
        if old == state:
            continue
        if state == "pass":
            lines.append(f"task {task} now passes")
        elif old == "pass":
            lines.append(f"task {task} no longer passes")
        elif state == "error":
            lines.append(f"task {task}: the grader could not run its checks (not counted against you)")
        else:
            lines.append(f"task {task} still fails, differently" if old else f"task {task} fails")
    return lines or ["no task changed state"]


class Watcher:
    def __init__(self, lab: Lab, root: Path, course: CourseSpec, console: Console,
                 hint_note: terminal.HintNote | None) -> None:
        self.lab = lab
        self.root = root
        self.course = course
        self.console = console
        self.hint_note = hint_note
        self.files = {(lab.path / name).resolve() for name in lab.spec.submission}
        self.previous: dict[int, Status] | None = None
        self.previous_score: tuple[float, float] | None = None
        self.graded: dict[Path, bytes | None] = {}

    def contents(self) -> dict[Path, bytes | None]:
        return {path: path.read_bytes() if path.is_file() else None for path in sorted(self.files)}

    def saved_since_last_grade(self) -> list[str]:
        """Submission files whose content differs from what was graded last (a touch alone is no save)."""
        now = self.contents()
        base = self.lab.path.resolve()
        return [path.relative_to(base).as_posix() for path, data in now.items() if self.graded.get(path) != data]

    def is_submission(self, change: watchfiles.Change, path: str) -> bool:
        return Path(path).resolve() in self.files

    def grade_and_show(self, pool: ServicePool, saved: list[str]) -> LabResult:
        self.graded = self.contents()
        result = grade(self.lab, pool, submission_for(self.lab, False, None), self.root)
        run = RunResult(labs=[result])
        progress = progress_store.record(run.labs, self.root)
        now = task_states(result) if not result.message else self.previous or {}
        self.console.clear()
        self.console.print(f"[bold]watching[/] labs/{self.lab.id}/ ({len(self.files)} file"
                           f"{'s' if len(self.files) != 1 else ''}) — graded at {time.strftime('%H:%M:%S')}"
                           " — Ctrl-C to stop")
        if saved:
            self.console.print(f"saved: {escape(', '.join(saved))}")
        score = (result.score, result.max_score)
        for line in changes(self.previous, now):
            colour = "green" if "now passes" in line else "yellow"
            self.console.print(f"[{colour}]{escape(line)}[/]")
        if self.previous_score is not None and score != self.previous_score:
            was, now_score = self.previous_score, score
            self.console.print(f"score {was[0]:g}/{was[1]:g} → {now_score[0]:g}/{now_score[1]:g}")
        self.console.print(f"[bold]next:[/] {escape(advice(run, progress, self.course, self.root))}")
        terminal.render(run, self.console, self.hint_note)
        self.previous, self.previous_score = now, score
        return result

    def run(self) -> None:
        """Grade now, then after every save, until Ctrl-C (KeyboardInterrupt propagates to the caller)."""
        with ServicePool() as pool:
            self.console.print(f"grading {self.lab.id}…")
            self.grade_and_show(pool, [])
            # Every batch of events, and every POLL_MS without one, compares contents with the last grade.
            for _ in watchfiles.watch(self.lab.path, watch_filter=self.is_submission, debounce=DEBOUNCE_MS,
                                      rust_timeout=POLL_MS, yield_on_timeout=True, raise_interrupt=True):
                saved = self.saved_since_last_grade()
                if saved:
                    self.console.print(f"\n{escape(', '.join(saved))} changed; grading…")
                    self.grade_and_show(pool, saved)
