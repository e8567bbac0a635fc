"""The `grader` command: a thin layer over labs, services, runner and renderers."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from grader import labs as lab_index
from grader.errors import GraderError, UsageError
from grader.paths import repo_root
from grader.prove import Verdict, prove
from grader.render import formats, github, json_format, terminal
from grader.results import RunResult
from grader.runner import grade, submission_for
from grader.services import warm
from grader.services.base import ServiceName
from grader.services.session import ServicePool

console = Console()
errors = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds, so started servers are stopped


def friendly(command: F) -> F:
    """Turn GraderErrors into a message and exit 2, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signal.signal(signal.SIGTERM, _terminate)
        try:
            return command(*args, **kwargs)
        except GraderError as exc:
            errors.print(f"[bold red]error:[/] {exc.problem}")
            if exc.fix:
                errors.print(f"[bold]fix:[/] {exc.fix}")
            sys.exit(2)
        except KeyboardInterrupt:
            errors.print("interrupted; services started by this command were stopped")
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """backend-labs: hands-on labs graded on real PostgreSQL, MongoDB and Redis."""


@main.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@friendly
def list_labs(fmt: str) -> None:
    """The labs, in course order."""
    labs = lab_index.all_labs()
    if fmt == "json":
        click.echo(json.dumps([{"id": lab.id, "title": lab.spec.title, "track": lab.spec.track} for lab in labs],
                              indent=2))
        return
    table = Table("lab", "title", "track", "services")
    for lab in labs:
        table.add_row(lab.id, lab.spec.title, lab.spec.track, ", ".join(lab.spec.services))
    console.print(table)


@main.command()
@click.argument("lab_id")
@friendly
def show(lab_id: str) -> None:
    """Print a lab's task."""
    lab = lab_index.load(lab_id)
    _print_task(lab)


def _print_task(lab: lab_index.Lab) -> None:
    console.rule(f"[bold]{lab.id}[/] — {lab.spec.title}")
    console.print(Markdown((lab.path / "README.md").read_text(encoding="utf-8")))
    console.print(f"\n[bold]Your files:[/] {', '.join(f'labs/{lab.id}/{f}' for f in lab.spec.submission)}")


def _selected(lab_ids: tuple[str, ...], all_labs: bool) -> list[lab_index.Lab]:
    if all_labs:
        return lab_index.all_labs()
    if not lab_ids:
        raise UsageError("no lab named", "give one or more lab ids (grader list shows them) or --all")
    return [lab_index.load(lab_id) for lab_id in lab_ids]


def run_checks(labs: list[lab_index.Lab], solution: bool, submission: Path | None) -> RunResult:
    root = repo_root()
    run = RunResult()
    with ServicePool() as pool:
        for lab in labs:
            run.labs.append(grade(lab, pool, submission_for(lab, solution, submission), root))
    return run


@main.command()
@click.argument("lab_ids", nargs=-1)
@click.option("--all", "all_labs", is_flag=True, help="every lab in the course")
@click.option("--solution", is_flag=True, help="grade the lab's reference solution (.meta/solution)")
@click.option("--submission", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="grade the submission files in this folder instead of the lab folder")
@click.option("--changed", is_flag=True,
              help="grade only the labs whose submission files differ from --base (uncommitted changes count)")
@click.option("--base", metavar="REF", help="with --changed: compare with REF; default: the merge base of HEAD "
              "with the default branch (origin/HEAD, else origin/main, origin/master, main, master)")
@click.option("--format", "fmt", type=click.Choice(["text", "github", *formats.FILE_FORMATS]), default="text",
              help="text: the terminal report; json, junit, gradescope: that format on stdout or --output; "
                   "github: the terminal report plus GitHub Actions job summary, annotations, step outputs "
                   "(score, max_score) and one PR comment")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write the report to this file (with text or github: the JSON report)")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE", callback=formats.parse_reports,
              help="also write FORMAT (json, junit, gradescope) to FILE from the same run; repeatable")
@friendly
def check(lab_ids: tuple[str, ...], all_labs: bool, solution: bool, submission: Path | None, changed: bool,
          base: str | None, fmt: str, output: Path | None, reports: list[tuple[str, Path]]) -> None:
    """Grade labs. Exit 0: all passed; 1: a check failed; 2: grader error or bad usage."""
    if solution and submission:
        raise UsageError("--solution and --submission both name what to grade", "use one of them")
    if changed:
        labs = _changed(lab_ids, all_labs, base, quiet=fmt in formats.FILE_FORMATS)
    else:
        labs = _selected(lab_ids, all_labs)
    with console.status("grading…") if fmt == "text" and console.is_terminal else _nothing():
        run = run_checks(labs, solution, submission) if labs else RunResult()
    if fmt in formats.FILE_FORMATS:
        banner = terminal.emulator_banner(run)
        if banner is not None:  # the report stays pure; the emulator's label goes to stderr
            errors.print(banner)
        text = formats.FILE_FORMATS[fmt](run)
        if output:
            output.write_text(text + "\n")
        else:
            click.echo(text)
    else:  # a CI log is shared: with github, hidden checks say only what a shared report may say
        terminal.render(github.redacted(run) if fmt == "github" else run, console)
        if output:
            output.write_text(json_format.render(run) + "\n")
    if fmt == "github":
        root = repo_root()
        bases = {lab.id: os.path.relpath(submission_for(lab, solution, submission).folder, root) for lab in labs}
        for warning in github.publish(run, os.environ, click.echo, bases):
            click.echo(github.command("warning", warning, title="grader"))
            errors.print(f"[yellow]warning:[/] {escape(warning)}")
    for report_format, path in reports:
        formats.write(run, report_format, path)
    sys.exit(run.exit_code())


def _changed(lab_ids: tuple[str, ...], all_labs: bool, base: str | None, quiet: bool) -> list[lab_index.Lab]:
    from grader import changed

    if lab_ids or all_labs:
        raise UsageError("--changed chooses the labs itself", "drop the lab ids / --all, or drop --changed")
    labs, compared = changed.select(repo_root(), base)
    say = errors if quiet else console
    if labs:
        say.print(f"grading the labs changed since {escape(compared)}: {', '.join(lab.id for lab in labs)}")
    else:
        say.print(f"no lab's submission files changed since {escape(compared)}; nothing to grade")
    return labs


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


@main.command()
@click.argument("lab_id")
@click.option("--reset", is_flag=True, help="recreate your exploration database from the seed data")
@friendly
def start(lab_id: str, reset: bool) -> None:
    """Set up a lab: warm services, a seeded database to explore, the task, and your current score."""
    from grader import playground

    lab = lab_index.load(lab_id)
    root = repo_root()
    grounds = []
    for service in lab.spec.services:
        if service == "mongodb" and _mongo_emulated():
            grounds.append(playground.Playground("mongodb", "", "none: the MongoDB emulator keeps its data inside "
                                                 "each check run (a real server gives you a mongosh line here)"))
            continue
        state = warm.up(service)
        if service == "postgres":
            grounds.append(playground.postgres(lab, state.url, root, reset))
        elif service == "redis":
            grounds.append(playground.redis_playground(state.url))
        elif service == "mongodb":
            grounds.append(_mongo_playground(lab, state.url, root, reset))
    _print_task(lab)
    console.rule("[bold]Explore the data")
    for ground in grounds:
        console.print(f"{ground.service}: [cyan]{ground.explore}[/]", soft_wrap=True)
    console.rule("[bold]Your score now")
    run = run_checks([lab], solution=False, submission=None)
    terminal.render(run, console)
    console.print(
        f"\n[bold]Next:[/] edit {', '.join(lab.spec.submission)} in labs/{lab.id}/, then run "
        f"[cyan]grader check {lab.id}[/] (or [cyan]make check LAB={lab.id}[/]).\n"
        "Services keep running for you; [cyan]grader services down[/] stops them."
    )


def _mongo_emulated() -> bool:
    from grader.services.select import requested_backend

    return requested_backend("mongodb") == "emulated"


def _mongo_playground(lab: lab_index.Lab, admin_url: str, root: Path, reset: bool) -> Any:
    from grader import datasets, playground
    from grader.isolation.mongodb import playground as seeded

    module = datasets.load(lab.spec.dataset, root) if lab.spec.dataset else None
    collections = module.mongo_collections("public") if module is not None else {}
    url = seeded(admin_url, f"lab_{lab.id.replace('-', '_')}", collections, reset)
    return playground.Playground("mongodb", url, f"mongosh '{url}'")


@main.group()
def dev() -> None:
    """For lab authors."""


@dev.command("check")
@click.argument("lab_ids", nargs=-1)
@click.option("--all", "all_labs", is_flag=True, help="every lab in the course")
@friendly
def dev_check(lab_ids: tuple[str, ...], all_labs: bool) -> None:
    """Prove labs: reference and alternatives 100 %, starter and every wrong case below."""
    root = repo_root()
    failures = 0
    with ServicePool() as pool:
        for lab in _selected(lab_ids, all_labs):
            for verdict in prove(lab, pool, root):
                ok = verdict.decide()
                note = _emulator_note(verdict, ok)
                mark = "[green]ok[/]" if ok else ("[yellow]n/a[/]" if ok is None else "[red]FAIL[/]")
                score = f"{verdict.result.score:g}/{verdict.result.max_score:g}"
                console.print(f"{mark}  {lab.id:28} {verdict.case:36} {score}{note}")
                if ok is False:
                    failures += 1
                    console.print(f"    {verdict.explain()}")
    sys.exit(1 if failures else 0)


def _emulator_note(verdict: Verdict, ok: bool | None) -> str:
    """What the MongoDB emulator could not run, beside a case it decided (or could not decide)."""
    refused = len(verdict.refused_on_emulator())
    if verdict.ok or not refused:
        return ""
    if ok is None:
        return f"  (emulator: only the {refused} checks that need a real server tell this case apart)"
    return f"  (emulator: {refused} checks need a real server and did not run)" if ok else ""


@main.group()
def services() -> None:
    """Keep database servers running between commands (state in .grader/)."""


@services.command("up")
@click.argument("names", nargs=-1, type=click.Choice(["postgres", "redis", "mongodb"]))
@friendly
def services_up(names: tuple[ServiceName, ...]) -> None:
    """Start services and leave them running (default: postgres and redis)."""
    for name in names or ("postgres", "redis"):
        if name == "mongodb" and _mongo_emulated():
            raise UsageError("the MongoDB emulator has no server to keep running (GRADER_MONGODB_BACKEND=emulated)",
                             "unset GRADER_MONGODB_BACKEND to start a real server, or just run grader check")
        state = warm.up(name)
        console.print(f"{name}: up ({state.description})")


@services.command("down")
@friendly
def services_down() -> None:
    """Stop exactly the services that `services up` started."""
    stopped = [p.stem for p in sorted(warm.folder().glob("*.json")) if warm.down(p.stem)]
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "no services were running")


@services.command("prune")
@friendly
def services_prune() -> None:
    """Remove the grader's Docker containers whose owning process is gone (a crashed run's leftovers)."""
    from grader.services import docker_engine

    removed = docker_engine.prune()
    for left in removed:
        console.print(f"removed {left.service} container {left.short_id} "
                      f"(owner pid {left.owner_pid} is gone; started {left.started_at})")
    console.print(f"pruned {len(removed)} container(s)" if removed else "nothing to prune")


@services.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@friendly
def services_status(fmt: str) -> None:
    """What is running, from which backend, since when."""
    import time

    running = warm.all_warm()
    if fmt == "json":
        click.echo(json.dumps([{"service": s.service, "backend": s.backend, "description": s.description,
                                "url": s.url, "pid": s.pid, "age_s": round(time.time() - s.started_at)}
                               for s in running], indent=2))
        return
    if not running:
        console.print("no services running; `grader services up` starts them")
        return
    table = Table("service", "backend", "url", "age")
    for s in running:
        table.add_row(s.service, s.description, s.url, f"{time.time() - s.started_at:.0f} s")
    console.print(table)


if __name__ == "__main__":
    main()
