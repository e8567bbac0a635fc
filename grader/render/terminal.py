"""The terminal report: per lab, a table per task, feedback under each failed check."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.results import CheckResult, LabResult, RunResult

ICON = {"pass": "[green]✔ pass[/]", "fail": "[red]✘ fail[/]", "error": "[yellow]! error[/]"}
# What a failed task's feedback says about its hint (lab id, task -> lines); None: print lab.yaml's hint.
HintNote = Callable[[str, int], list[str]]


def _points(value: float) -> str:
    return f"{value:g}"


def _task_table(lab: LabResult) -> Table:
    table = Table(show_edge=False, header_style="bold", expand=False)
    table.add_column("task", justify="right")
    table.add_column("check")
    table.add_column("result")
    table.add_column("points", justify="right")
    for check in sorted(lab.tests, key=lambda t: (t.task or 0, t.visibility == "hidden")):
        table.add_row(str(check.task or "-"), escape(check.name), ICON[check.status],
                      f"{_points(check.points)}/{_points(check.max_points)}")
    return table


def _feedback(lab_id: str, problems: list[CheckResult], hint_note: HintNote | None) -> list[Text]:
    """One block per task, in task order: each distinct message once, the task's hint once.

    A check that fails on the public data usually fails on the hidden data for the same reason;
    saying it twice would bury the next task's feedback.
    """
    blocks: list[Text] = []
    by_task: dict[int | None, list[CheckResult]] = {}
    for check in sorted(problems, key=lambda c: (c.task is None, c.task or 0)):
        by_task.setdefault(check.task, []).append(check)
    for task, checks in by_task.items():
        text = Text()
        text.append(f"task {task}\n" if task is not None else "other checks\n", style="bold")
        seen: set[str] = set()
        for check in checks:
            if check.message in seen:
                continue
            seen.add(check.message)
            style = "red" if check.status == "fail" else "yellow"
            text.append(f"  ✘ {check.name}\n", style=style)
            if check.status == "error":
                text.append("    the grader could not run this check; it does not count against you\n", style="yellow")
            for line in check.message.splitlines():
                text.append(f"    {line}\n")
        if hint_note is not None and task is not None and any(c.status == "fail" for c in checks):
            for line in hint_note(lab_id, task):
                text.append(f"  {line}\n", style="cyan")
        else:
            hint = next((c.hint for c in checks if c.hint), "")
            if hint:
                text.append(f"  hint: {hint}\n", style="cyan")
        blocks.append(text)
    return blocks


def lab_panel(lab: LabResult, hint_note: HintNote | None = None) -> Panel:
    parts: list[Table | Text] = []
    if lab.message:
        parts.append(Text(f"grader error: {lab.message}\n(not a problem with your submission)\n", style="yellow"))
    if lab.tests:
        parts.append(_task_table(lab))
    problems = [t for t in lab.tests if t.status != "pass"]
    if problems:
        parts.append(Text("\nWhat to fix:\n", style="bold"))
        parts.extend(_feedback(lab.id, problems, hint_note))
    colour = {"pass": "green", "fail": "red", "error": "yellow"}[lab.status]
    score = f"{_points(lab.score)}/{_points(lab.max_score)}"
    title = f"[bold]{escape(lab.id)}[/] — {escape(lab.title)}  [{colour}]{score}[/]"
    return Panel(Group(*parts), title=title, title_align="left", border_style=colour)


def emulator_banner(run: RunResult) -> Panel | None:
    """The MongoDB emulator's label: printed whenever a lab in the run used it."""
    from grader.services.emulated_mongo import BANNER, uses_emulator

    labs = [lab.id for lab in run.labs if uses_emulator(lab.services)]
    if not labs:
        return None
    return Panel(Text(f"{BANNER}\nLabs: {', '.join(labs)}"), title="[bold]MongoDB emulator[/]",
                 title_align="left", border_style="magenta")


def summary_table(run: RunResult) -> Table:
    """One row per lab (lab, score, status): what `check --all` ends with instead of every check."""
    table = Table(header_style="bold", show_edge=False)
    table.add_column("lab")
    table.add_column("score", justify="right")
    table.add_column("status")
    for lab in run.labs:
        table.add_row(escape(lab.id), f"{_points(lab.score)}/{_points(lab.max_score)}", ICON[lab.status])
    return table


def render(run: RunResult, console: Console, hint_note: HintNote | None = None, compact: bool = False) -> None:
    """Every lab's panel; `compact`: one table row per lab, for runs over many labs."""
    if run.course:
        console.print(f"[dim]course: {escape(run.course)}[/]", soft_wrap=True)
    for warning in run.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", soft_wrap=True)
    banner = emulator_banner(run)
    if banner is not None:
        console.print(banner)
    if compact:
        console.print(summary_table(run))
    else:
        for lab in run.labs:
            console.print(lab_panel(lab, hint_note))
    if len(run.labs) > 1:
        console.print(f"[bold]Total: {_points(run.score)}/{_points(run.max_score)}[/]")
