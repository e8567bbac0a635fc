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
from typing import TYPE_CHECKING, Any, TypeVar

import click

from grader import stopped
from grader.batch.default_group import DefaultGroup
from grader.errors import GraderError, UsageError
from grader.learner import completion
from grader.paths import repo_root
from grader.render import formats

# What a command needs is imported when it runs: `grader --help` must not pay for the drivers, the
# services stack or pytest (the warm grader has them imported already).
if TYPE_CHECKING:
    from rich.console import Console

    from grader import course_source, results, runner, words
    from grader import labs as lab_index
    from grader.prove import Verdict
    from grader.render import github, json_format, terminal
    from grader.services import session, warm
    from grader.services.base import ServiceName
else:
    from grader.lazy import LazyConsole, LazyModule

    lab_index = LazyModule("grader.labs")
    results = LazyModule("grader.results")
    runner = LazyModule("grader.runner")
    words = LazyModule("grader.words")
    course_source = LazyModule("grader.course_source")
    github = LazyModule("grader.render.github")
    json_format = LazyModule("grader.render.json_format")
    terminal = LazyModule("grader.render.terminal")
    session = LazyModule("grader.services.session")
    warm = LazyModule("grader.services.warm")
    Console = LazyConsole

console = Console()
errors = Console(stderr=True)


def escape(text: str) -> str:
    """rich markup escaped (rich is imported on first use)."""
    from rich.markup import escape as escaped

    return escaped(text)
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
            done = stopped.report()
            errors.print("interrupted" + ("; stopped: " + "; ".join(done) if done else "; nothing was running"))
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backend-labs", prog_name="grader")
def main() -> None:
    """backend-labs: hands-on labs graded on real PostgreSQL, MongoDB and Redis."""


LAB = click.argument("lab_id", shell_complete=completion.lab_ids)


@main.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@friendly
def list_labs(fmt: str) -> None:
    """The labs, in course order."""
    from grader.learner import progress
    from grader.learner.lab_list import listed_labs

    labs = listed_labs()
    done = progress.load()
    if fmt == "json":
        click.echo(json.dumps([{"id": lab.id, "title": lab.title, "track": lab.track,
                                "best": done.of(lab.id).best, "max": done.of(lab.id).max} for lab in labs], indent=2))
        return
    import shutil

    from grader.render.columns import aligned

    # lab ids first and never cut (the learner types one next); titles last, wrapped to the terminal's width
    headers = ("lab", "track", "services", "best", "title")
    rows = [(lab.id, lab.track, ",".join(lab.services), done.of(lab.id).score, lab.title) for lab in labs]
    lines = aligned(headers, rows, shutil.get_terminal_size().columns)
    click.echo(click.style(lines[0], bold=True))
    click.echo("\n".join(lines[1:]))


@main.command()
@LAB
@friendly
def show(lab_id: str) -> None:
    """Print a lab's task."""
    from grader.learner.start import print_task

    print_task(lab_index.load(lab_id), console)


def _selected(lab_ids: tuple[str, ...], all_labs: bool, root: Path | None = None) -> list[lab_index.Lab]:
    if all_labs:
        return lab_index.all_labs(root)
    if not lab_ids:
        from grader.learner.report import which_lab

        raise UsageError("which lab? name one: grader check LAB", which_lab(repo_root()))
    return [lab_index.load(lab_id, root) for lab_id in lab_ids]


def run_checks(labs: list[lab_index.Lab], solution: bool, submission: Path | None,
               course: course_source.Course | None = None, jobs: int = 1, task: int | None = None) -> results.RunResult:
    """Grade `labs` (from `course`, by default the checkout) on the submission files of the checkout,
    `jobs` labs at a time; `task`: only that task's checks."""
    from grader.parallel import run_all, warm_up

    root = repo_root()
    course = course or course_source.Course(root, f"the checkout {root}")
    with session.ServicePool() as pool:
        warm_up(pool, labs)

        def grade_one(lab: lab_index.Lab) -> results.LabResult:
            files = runner.submission_for(lab, solution, submission, root)
            return runner.grade(lab, pool, files, course.root, course, task=task)

        graded = run_all(labs, grade_one, jobs)
    return results.RunResult(labs=graded, course=course.description)


def _jobs_option(command: F) -> F:
    from grader.parallel import default_jobs

    option = click.option("-j", "--jobs", type=click.IntRange(min=1), default=default_jobs(), show_default=True,
                          help="labs graded at once (each in its own process, with its own databases)")
    return option(command)


@main.command()
@click.argument("lab_ids", nargs=-1, shell_complete=completion.lab_ids)
@click.option("--all", "all_labs", is_flag=True, help="every lab in the course")
@click.option("--solution", is_flag=True, help="grade the lab's reference solution (.meta/solution)")
@_jobs_option
@click.option("--submission", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="grade the submission files in this folder instead of the lab folder")
@click.option("--changed", is_flag=True,
              help="grade only the labs whose submission files differ from --base (uncommitted changes count)")
@click.option("--base", metavar="REF", help="with --changed: compare with REF; default: the merge base of HEAD "
              "with the default branch (origin/HEAD, else origin/main, origin/master, main, master)")
@click.option("--course", "course_ref", metavar="DIR|REF",
              help="take the course (lab.yaml, checks, reference, datasets) from this folder or git ref instead of "
                   "the checkout; only the submission files come from the checkout")
@click.option("--bundle", type=click.Path(dir_okay=False, path_type=Path),
              help="a grading bundle (grader bundle): laid over the course, it adds references, hidden checks and "
                   "the secret hidden data")
@click.option("--format", "fmt", type=click.Choice(["text", "github", *formats.FILE_FORMATS]), default="text",
              help="text: the terminal report; json, junit, gradescope: that format on stdout or --output; "
                   "github: the terminal report plus GitHub Actions job summary, annotations, step outputs "
                   "(score, max_score) and one PR comment")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="write the report to this file (with text or github: the JSON report)")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE", callback=formats.parse_reports,
              help="also write FORMAT (json, junit, gradescope) to FILE from the same run; repeatable")
@click.option("--task", type=click.IntRange(min=1), metavar="N",
              help="only task N's checks (public and hidden) of one lab")
@friendly
def check(lab_ids: tuple[str, ...], all_labs: bool, solution: bool, jobs: int, submission: Path | None,
          changed: bool, base: str | None, course_ref: str | None, bundle: Path | None, fmt: str, output: Path | None,
          reports: list[tuple[str, Path]], task: int | None) -> None:
    """Grade labs. Exit 0: all passed; 1: a check failed; 2: grader error or bad usage."""
    from grader.learner import report

    if solution and submission:
        raise UsageError("--solution and --submission both name what to grade", "use one of them")
    root = repo_root()
    base_commit = _base_commit(root, lab_ids, all_labs, base) if changed and course_ref is None else None
    with course_source.open_course(root, course=course_ref, base_commit=base_commit, bundle=bundle) as course:
        warnings: list[str] = []
        if changed:
            labs, warnings = _changed(root, base, course, quiet=fmt in formats.FILE_FORMATS)
        else:
            labs = _selected(lab_ids, all_labs, course.root)
        if task is not None:
            report.require_task(labs, task)
        with console.status("grading…") if fmt == "text" and console.is_terminal else _nothing():
            run = run_checks(labs, solution, submission, course, jobs, task) if labs else results.RunResult(
                course=course.description)
    run.warnings = warnings
    if fmt in formats.FILE_FORMATS:
        banner = terminal.emulator_banner(run)
        if banner is not None:  # the report stays pure; the emulator's label goes to stderr
            errors.print(banner)
        text = formats.render(fmt, run)
        if output:
            output.write_text(text + "\n")
        else:
            click.echo(text)
    else:  # a CI log is shared: with github, hidden checks say only what a shared report may say
        terminal.render(github.redacted(run) if fmt == "github" else run, console,
                        None if fmt == "github" else report.hint_note(repo_root()), compact=all_labs)
        if output:
            output.write_text(json_format.render(run) + "\n")
    if fmt == "github":
        bases = {lab.id: os.path.relpath(runner.submission_for(lab, solution, submission, root).folder, root)
                 for lab in labs}
        for warning in github.publish(run, os.environ, click.echo, bases):
            click.echo(github.command("warning", warning, title="grader"))
            errors.print(f"[yellow]warning:[/] {escape(warning)}")
    for report_format, path in reports:
        formats.write(run, report_format, path)
    report.conclude(run, repo_root(), task, own_files=not (solution or submission),
                    console=console if fmt == "text" else None)
    sys.exit(run.exit_code())


def _base_commit(root: Path, lab_ids: tuple[str, ...], all_labs: bool, base: str | None) -> str:
    from grader import changed

    if lab_ids or all_labs:
        raise UsageError("--changed chooses the labs itself", "drop the lab ids / --all, or drop --changed")
    return changed.resolve_base(root, base)


def _changed(root: Path, base: str | None, course: course_source.Course, quiet: bool
             ) -> tuple[list[lab_index.Lab], list[str]]:
    """The labs whose submission files (by the course's lab.yaml) changed, and a warning for other files."""
    from grader import changed

    commit = changed.resolve_base(root, base)
    files = changed.changed_files(root, commit)
    course_labs = lab_index.all_labs(course.root)
    labs = changed.changed_labs(course_labs, files)
    outside = changed.outside_submission(course_labs, files)
    compared = changed.describe(root, base, commit)
    say = errors if quiet else console
    if labs:
        say.print(f"grading the labs changed since {escape(compared)}: {', '.join(lab.id for lab in labs)}")
    else:
        say.print(f"no lab's submission files changed since {escape(compared)}; nothing to grade")
    return labs, [changed.outside_warning(outside)] if outside else []


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


@main.command()
@LAB
@click.option("--reset", is_flag=True, help="recreate your exploration database from the seed data")
@friendly
def start(lab_id: str, reset: bool) -> None:
    """Set up a lab: warm services, a seeded database to explore, the task, and your current score."""
    from grader.learner import start as starting

    sys.exit(starting.run(lab_index.load(lab_id), repo_root(), reset, console, errors))


@main.command()
@click.argument("lab_id", required=False, shell_complete=completion.lab_ids)
@friendly
def watch(lab_id: str | None) -> None:
    """Re-grade a lab on every save of its files (default: the lab you are on). Ctrl-C stops."""
    from grader.learner import report
    from grader.learner.watch import Watcher

    root = repo_root()
    lab = lab_index.load(lab_id or report.current_lab(root, "watch"))
    try:
        Watcher(lab, root, lab_index.course(root), console, report.hint_note(root)).run()
    except KeyboardInterrupt:
        done = stopped.report()
        console.print("\nstopped watching" + (f"; stopped: {'; '.join(done)}" if done else ""))


@main.command()
@LAB
@click.argument("task", required=False, type=click.IntRange(min=1))
@click.option("--all", "everything", is_flag=True, help="every level at once (of TASK, or of every task)")
@friendly
def hint(lab_id: str, task: int | None, everything: bool) -> None:
    """Reveal the next hint level for a task (default: the first task not passing yet)."""
    from grader.learner import report

    report.show_hints(lab_index.load(lab_id), repo_root(), task, everything, console)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@friendly
def progress(fmt: str) -> None:
    """Your course: tracks × labs, best scores and dates, what is unlocked."""
    from grader.learner import course_view

    if fmt == "json":
        click.echo(json.dumps(course_view.as_json(), indent=2))
    else:
        console.print(course_view.view())


@main.command()
@LAB
@click.option("--files", "files_only", is_flag=True, help="only restore the starter files")
@click.option("--db", "db_only", is_flag=True, help="only re-seed the playground database")
@friendly
def reset(lab_id: str, files_only: bool, db_only: bool) -> None:
    """Restore the starter files (yours are backed up in .grader/backups/) and the playground database."""
    from grader.learner import report

    both = files_only == db_only
    report.reset(lab_index.load(lab_id), repo_root(), files=both or files_only, db=both or db_only, console=console)


@main.command()
@LAB
@click.option("--service", type=click.Choice(["postgres", "redis", "mongodb"]), help="for a lab with several")
@friendly
def shell(lab_id: str, service: str | None) -> None:
    """An interactive client on the lab's playground: psql, a Redis command line, mongosh or Python."""
    from grader import playground
    from grader.learner import shell as shells

    lab = lab_index.load(lab_id)
    ground = shells.choose(playground.for_lab(lab, repo_root()), service, lab)
    sys.exit(shells.open_shell(ground, console))


@main.command("completion")
@click.argument("shell_name", metavar="SHELL", type=click.Choice(completion.SHELLS))
def completion_script(shell_name: str) -> None:
    """Print the completion script: eval "$(grader completion bash)" (commands, options, lab ids)."""
    click.echo(completion.script(main, shell_name))


def _mongo_emulated() -> bool:
    from grader.services.select import requested_backend

    return requested_backend("mongodb") == "emulated"


def _labs_option(labs: str | None, root: Path) -> list[lab_index.Lab]:
    ids = [x for x in (labs or "").replace(",", " ").split() if x]
    return [lab_index.load(lab_id, root) for lab_id in ids] if ids else lab_index.all_labs(root)


@main.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--labs", metavar="LAB,…", help="release only these labs (default: every lab in course.yaml)")
@click.option("--bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="sign the reference records with this grading bundle's key (default: a one-off key)")
@friendly
def release(out: Path, labs: str | None, bundle: Path | None) -> None:
    """Write the student edition to OUT: no .meta, public data, signed records of the reference's answers."""
    from grader import bundle as bundles
    from grader import release as releases

    root = repo_root()
    chosen = _labs_option(labs, root)
    with session.ServicePool() as pool, console.status("recording the reference on the public data…"):
        left_out: list[str] = []
        if not labs:  # the whole course: what this machine cannot record is left out, by name
            chosen, left_out = releases.releasable(chosen, pool)
        if not chosen:
            raise GraderError("no lab of the course can be recorded here: " + "; ".join(left_out),
                              "start the servers the labs need (see README, Services), then release again")
        done = releases.release(root, out, chosen, pool, bundles.read(bundle) if bundle else None)
        done.notes = left_out + done.notes
    for note in done.notes:
        errors.print(f"[yellow]note:[/] {escape(note)}")
    console.print(f"student edition written to {out}: {len(done.labs)} labs, no .meta; "
                  f"learners start with: cd {out} && make lab LAB={done.labs[0] if done.labs else '…'}")


@main.command("bundle")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--labs", metavar="LAB,…", help="bundle only these labs (default: every lab in course.yaml)")
@friendly
def bundle_command(out: Path, labs: str | None) -> None:
    """Write the grading bundle OUT: references, hidden checks, the hidden-variant secret, the record key.

    An existing OUT keeps its secret and key (hidden data and released records stay valid)."""
    from grader import bundle as bundles
    from grader import datasets

    root = repo_root()
    chosen = _labs_option(labs, root)
    keys = bundles.read(out).keys if out.exists() else bundles.new_keys()
    bundles.write(out, root / "labs", [lab.id for lab in chosen], keys)
    for name in sorted({lab.spec.dataset for lab in chosen if lab.spec.dataset}):
        if not datasets.sealable(name, root):
            errors.print(f"[yellow]note:[/] dataset {name}: its hidden variant takes no seed, so the secret cannot "
                         "seal it (the released generator can reproduce it)")
    console.print(f"grading bundle written to {out} ({len(chosen)} labs; keep it secret: it holds the references, "
                  f"hidden checks and the secret of the hidden data). Public key: {keys.public_key}")


@main.group(cls=DefaultGroup, default="grade")
def batch() -> None:
    """Grade a whole class: `grader batch CLASS_DIR|ROSTER.csv …` (grade), `grader batch merge …`."""


def _batch_outputs(command: F) -> F:
    for name, help_text in reversed([
        ("--gradebook", "gradebook CSV: a row per student and lab (raw points, max, late days, points, status)"),
        ("--json", "the JSON report (what `grader batch merge` reads)"),
        ("--feedback", "a folder: one feedback file per student (hidden details withheld)"),
        ("--items", "item analysis CSV: per check, how many failed it and the most common feedback"),
        ("--similar", "similar-submission pairs CSV (to look at, never a verdict)"),
        ("--html", "one self-contained HTML page: gradebook, score distributions, item analysis"),
        ("--out", "a folder for all of the above (default when none is named: batch-results)"),
    ]):
        command = click.option(name, type=click.Path(path_type=Path), help=help_text)(command)
    return command


def _targets(out: Path | None, **named: Path | None) -> Any:
    from grader.batch.outputs import Targets

    targets = Targets(**named)
    return Targets.under(out) if out else targets if targets.any() else Targets.under(Path("batch-results"))


@batch.command("grade")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--labs", metavar="LAB,…", help="grade these labs for every student (default: every lab each "
              "student changed from the starter)")
@click.option("--deadline", metavar="ISO-8601", help="grade each repository at its last commit not after the "
              "deadline (commit time; course.yaml late_policy may accept late commits); later commits are listed")
@click.option("--course", "course_ref", metavar="DIR|REF", help="the course from this folder or git ref")
@click.option("--bundle", type=click.Path(dir_okay=False, path_type=Path), help="the grading bundle")
@_jobs_option
@click.option("--regrade", multiple=True, is_flag=False, flag_value="*", metavar="[LAB|STUDENT]",
              help="grade again instead of using the cache: everything, or a lab's or a student's rows; repeatable")
@click.option("--shard", metavar="i/n", help="grade only every n-th student (from the i-th): a CI matrix job")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              help="results cache folder (default: .grader/batch-cache)")
@click.option("--no-cache", is_flag=True, help="neither read nor write the results cache")
@_batch_outputs
@friendly
def batch_grade(source: Path, labs: str | None, deadline: str | None, course_ref: str | None, bundle: Path | None,
                jobs: int, regrade: tuple[str, ...], shard: str | None, cache_dir: Path | None, no_cache: bool,
                out: Path | None, **named: Path | None) -> None:
    """Grade a class: SOURCE is a folder with one folder per student, or a roster CSV of git repositories."""
    from grader.batch import late, outputs, roster, summary
    from grader.batch.progress import bar
    from grader.batch.run import Options, grade_class
    from grader.paths import state_dir

    root = repo_root()
    students = roster.from_csv(source) if source.is_file() else roster.from_folder(source)
    options = Options(labs=_lab_ids(labs), deadline=late.parse_deadline(deadline) if deadline else None, jobs=jobs,
                      regrade=regrade, cache=None if no_cache else cache_dir or state_dir(root) / "batch-cache",
                      clones=state_dir(root) / "batch-clones", shard=shard)
    with course_source.open_course(root, course=course_ref, bundle=bundle) as course:
        report = grade_class(roster.shard(students, shard), course, options, bar(errors))
    written = outputs.write(report, _targets(out, **named))
    summary.print_summary(report, written, console)
    sys.exit(2 if any(e.status == "error" for e in report.entries) else 0)


def _lab_ids(labs: str | None) -> list[str] | None:
    ids = [x for x in (labs or "").replace(",", " ").split() if x]
    return ids or None


@batch.command("merge")
@click.argument("reports", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_batch_outputs
@friendly
def batch_merge(reports: tuple[Path, ...], out: Path | None, **named: Path | None) -> None:
    """Merge the JSON reports of `--shard i/n` runs into one class (the same outputs as one run)."""
    from grader.batch import outputs, summary
    from grader.batch.merge import merge

    report = merge(list(reports))
    written = outputs.write(report, _targets(out, **named))
    summary.print_summary(report, written, console)


@main.command("gradescope")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--labs", metavar="LAB,…", help="the labs of the assignment (default: every lab in course.yaml)")
@click.option("--bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="the grading bundle (hidden checks, secret hidden data) to pack with the course")
@friendly
def gradescope_package(out: Path, labs: str | None, bundle: Path | None) -> None:
    """Write a Gradescope autograder zip (setup.sh, run_autograder, the course and the grader)."""
    from grader.batch.gradescope_package import build

    root = repo_root()
    with course_source.open_course(root, bundle=bundle) as course:
        chosen = _labs_option(labs, course.root)
        build(out, course, [lab.id for lab in chosen], bundle)
    console.print(f"Gradescope autograder written to {out} ({', '.join(lab.id for lab in chosen)}): upload it as "
                  "the assignment's autograder (base image: Ubuntu 22.04 or newer)")


@main.command("autograde", hidden=True)
@click.argument("submission", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--bundle", type=click.Path(dir_okay=False, path_type=Path))
@_jobs_option
@friendly
def autograde(submission: Path, output: Path, bundle: Path | None, jobs: int) -> None:
    """Grade one submission folder (flat files or the lab layout) into Gradescope's results.json."""
    from grader.batch.autograde import autograde as run_autograde

    with course_source.open_course(repo_root(), bundle=bundle) as course:
        run_autograde(submission, course, output, jobs)


@main.group()
def dev() -> None:
    """For lab authors."""


@dev.command("check")
@click.argument("lab_ids", nargs=-1)
@click.option("--all", "all_labs", is_flag=True, help="every lab in the course")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="grade every case N times and fail when a verdict changes between runs")
@click.option("--mutants", "mutant_limit", type=click.IntRange(min=0), default=5, show_default=True,
              help="also grade a stable sample of N mutants of the reference and print the mutation score (0: none)")
@_jobs_option
@friendly
def dev_check(lab_ids: tuple[str, ...], all_labs: bool, repeat: int, mutant_limit: int, jobs: int) -> None:
    """Prove labs: reference and alternatives 100 %, starter and every wrong case below; mutation score."""
    from grader.mutants.render import summary
    from grader.mutants.sweep import sweep
    from grader.repeat import prove_repeatedly

    root = repo_root()
    failures = 0
    with session.ServicePool() as pool:
        for lab in _selected(lab_ids, all_labs):
            verdicts, unstable = prove_repeatedly(lab, pool, root, repeat, jobs)
            for verdict in verdicts:
                ok = verdict.decide()
                note = _emulator_note(verdict, ok)
                mark = "[green]ok[/]" if ok else ("[yellow]n/a[/]" if ok is None else "[red]FAIL[/]")
                score = f"{verdict.result.score:g}/{verdict.result.max_score:g}"
                console.print(f"{mark}  {lab.id:28} {verdict.case:36} {score}{note}")
                if ok is False:
                    failures += 1
                    console.print(f"    {verdict.explain()}")
            for change in unstable:
                failures += 1
                console.print(f"[red]UNSTABLE[/]  {escape(change)}")
            if mutant_limit:
                report = sweep(lab, pool, root, mutant_limit, jobs=jobs)
                failures += len(report.survivors)
                for line in summary(report):
                    console.print(line)
    sys.exit(1 if failures else 0)


@dev.command("mutants")
@click.argument("lab_ids", nargs=-1)
@click.option("--all", "all_labs", is_flag=True, help="every lab in the course")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="grade at most N mutants per lab, a sample chosen by a hash of their ids (the same every run)")
@_jobs_option
@friendly
def dev_mutants(lab_ids: tuple[str, ...], all_labs: bool, limit: int | None, jobs: int) -> None:
    """Mutation testing: grade mutants of the reference like wrong cases; exit 1 on an unexplained survivor."""
    from grader.mutants.render import mutant_line, summary
    from grader.mutants.sweep import Graded, sweep

    root = repo_root()
    survivors = 0
    with session.ServicePool() as pool:
        for lab in _selected(lab_ids, all_labs):
            console.rule(f"[bold]{lab.id}[/] mutants")
            equivalent = _equivalents(lab)

            def show(graded: Graded, known: dict[str, str] = equivalent) -> None:
                console.print(mutant_line(graded, known))

            report = sweep(lab, pool, root, limit, progress=show, jobs=jobs)
            for line in summary(report):
                console.print(line)
            survivors += len(report.survivors)
    sys.exit(1 if survivors else 0)


def _equivalents(lab: lab_index.Lab) -> dict[str, str]:
    from grader.mutants.sweep import equivalents

    return equivalents(lab)


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
    _warm_grader_up()


def _warm_grader_up() -> None:
    from grader.paths import state_dir
    from grader.warm_grader import control

    try:
        info = control.up(state_dir())
    except RuntimeError as exc:  # the services are up; checks just run cold
        errors.print(f"[yellow]warning:[/] {escape(str(exc))}")
        return
    console.print(f"grader: warm (pid {info['pid']}): later checks skip the start-up imports")


@services.command("down")
@friendly
def services_down() -> None:
    """Stop exactly the services that `services up` started."""
    from grader.paths import state_dir
    from grader.warm_grader import control

    stopped = [p.stem for p in sorted(warm.folder().glob("*.json")) if warm.down(p.stem)]
    if control.down(state_dir()):
        stopped.append("warm grader")
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "no services were running")


@services.command("prune")
@friendly
def services_prune() -> None:
    """Remove what crashed runs left: containers, local servers, run databases and roles, Redis leases,
    sandbox processes and folders (only those whose owning process is gone)."""
    from grader import leftovers
    from grader.services import docker_engine

    removed = docker_engine.prune()
    for left in removed:
        console.print(f"removed {left.service} container {left.short_id} "
                      f"(owner pid {left.owner_pid} is gone; started {left.started_at})")
    others = leftovers.prune_local() + leftovers.prune_services({s.service: s.url for s in warm.all_warm()})
    for other in others:
        console.print(f"removed {escape(other)}")
    count = len(removed) + len(others)
    console.print(f"pruned {len(removed)} container(s) and {len(others)} other leftover(s)" if count
                  else "nothing to prune")


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
    from rich.table import Table

    table = Table("service", "backend", "url", "age")
    for s in running:
        table.add_row(s.service, s.description, s.url, f"{time.time() - s.started_at:.0f} s")
    console.print(table)


if __name__ == "__main__":
    main(prog_name="grader", complete_var=completion.ENV_VAR)  # the same completion variable under `python -m`
