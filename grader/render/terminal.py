"""The terminal report: per lab, a table per task, feedback under each failed check."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.results import CheckResult, LabResult, RunResult

ICON = {"pass": "[green]✔ pass[/]", "fail": "[red]✘ fail[/]", "error": "[yellow]! error[/]"}


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


def _feedback(problems: list[CheckResult]) -> list[Text]:
    """One block per task: each distinct message once, the task's hint once.

    A check that fails on the public data usually fails on the hidden data for the same reason;
    saying it twice would bury the next task's feedback.
    """
    blocks: list[Text] = []
    by_task: dict[int | None, list[CheckResult]] = {}
    for check in problems:
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
        hint = next((c.hint for c in checks if c.hint), "")
        if hint:
            text.append(f"  hint: {hint}\n", style="cyan")
        blocks.append(text)
    return blocks


def lab_panel(lab: LabResult) -> Panel:
    parts: list[Table | Text] = []
    if lab.message:
        parts.append(Text(f"grader error: {lab.message}\n(not a problem with your submission)\n", style="yellow"))
    if lab.tests:
        parts.append(_task_table(lab))
    problems = [t for t in lab.tests if t.status != "pass"]
    if problems:
        parts.append(Text("\nWhat to fix:\n", style="bold"))
        parts.extend(_feedback(problems))
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


def render(run: RunResult, console: Console) -> None:
    banner = emulator_banner(run)
    if banner is not None:
        console.print(banner)
    for lab in run.labs:
        console.print(lab_panel(lab))
    if len(run.labs) > 1:
        console.print(f"[bold]Total: {_points(run.score)}/{_points(run.max_score)}[/]")
