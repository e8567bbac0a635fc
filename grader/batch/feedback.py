"""Per-student feedback: what the student would see — the terminal report with hidden checks redacted
as in a shared report (grader.render.github.redacted), and their late days and points after the
late policy beside the raw points."""

from __future__ import annotations

import io

from rich.console import Console

from grader.batch.model import BatchReport, Entry
from grader.render import github, terminal
from grader.results import RunResult


def _lab_lines(entry: Entry) -> list[str]:
    line = f"{entry.lab}: {entry.raw_points:g}/{entry.max_points:g} points ({entry.status})"
    if entry.late_days:
        line += (f"; {entry.late_days} day(s) late: -{entry.deduction_percent:g} % -> "
                 f"{entry.points:g}/{entry.max_points:g}")
    lines = [line]
    if entry.commit:
        lines.append(f"  graded: commit {entry.commit.sha[:12]} of {entry.commit.time}")
    for later in entry.not_graded_commits:
        lines.append(f"  not graded (after the deadline): commit {later.sha[:12]} of {later.time}")
    if entry.result is None and entry.reason:
        lines.append(f"  {entry.reason}")
    return lines


def student_text(report: BatchReport, student: str) -> str:
    entries = [e for e in report.entries if e.student == student]
    lines = [f"Feedback for {student}", ""]
    for entry in entries:
        lines += _lab_lines(entry)
    run = RunResult(labs=[e.result for e in entries if e.result is not None], course=report.course)
    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None, force_terminal=False, highlight=False)
    if run.labs:
        terminal.render(github.redacted(run), console)
    return "\n".join(lines) + "\n\n" + out.getvalue()
