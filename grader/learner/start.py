"""`grader start LAB` (what `make lab` runs): the task, a seeded playground, the score now, and what next.

When a service cannot be had the task is still printed, then one paragraph on how to get the
server, and the command exits 2: a learner without MongoDB learns what to do, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

from grader import playground
from grader.errors import ServiceUnavailable
from grader.labs import Lab
from grader.learner import report
from grader.render import terminal
from grader.results import RunResult
from grader.runner import grade, submission_for
from grader.services.session import ServicePool


def print_task(lab: Lab, console: Console) -> None:
    console.rule(f"[bold]{lab.id}[/] — {lab.spec.title}")
    console.print(Markdown((lab.path / "README.md").read_text(encoding="utf-8")))
    console.print(f"\n[bold]Your files:[/] {', '.join(f'labs/{lab.id}/{f}' for f in lab.spec.submission)}")


def no_server(lab: Lab, exc: ServiceUnavailable) -> str:
    if "mongodb" in lab.spec.services and "mongodb" in exc.problem.lower():
        from grader.services.mongodb import ways_to_get_a_server
        from grader.services.select import docker_available

        return ways_to_get_a_server(lab.id, docker_available())
    return f"{exc.problem}\nfix: {exc.fix}" if exc.fix else exc.problem


def run(lab: Lab, root: Path, reset: bool, console: Console, errors: Console) -> int:
    try:
        grounds = playground.for_lab(lab, root, reset)
    except ServiceUnavailable as exc:
        print_task(lab, console)
        console.rule("[bold red]No server for this lab yet")
        errors.print(escape(no_server(lab, exc)), soft_wrap=False)
        return 2
    print_task(lab, console)
    console.rule("[bold]Explore the data")
    for ground in grounds:
        console.print(f"{ground.service}: [cyan]{escape(ground.explore)}[/]", soft_wrap=True)
    console.rule("[bold]Your score now")
    run_result = RunResult()
    with ServicePool() as pool:
        run_result.labs.append(grade(lab, pool, submission_for(lab, False, None), root))
    terminal.render(run_result, console, report.hint_note(root))
    console.print(
        f"\nEdit {', '.join(lab.spec.submission)} in labs/{lab.id}/, then run [cyan]grader check {lab.id}[/] — "
        f"or [cyan]grader watch {lab.id}[/] to re-grade on every save. Stuck? [cyan]grader hint {lab.id}[/]. "
        "Services keep running for you; [cyan]grader services down[/] stops them."
    )
    report.conclude(run_result, root, None, True, console)
    return 0
