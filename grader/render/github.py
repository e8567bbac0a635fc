"""GitHub Actions output: a Markdown score table (job summary and PR comment), annotations, step outputs.

Learner-facing and shared, so hidden checks are counted per task but their details are never shown
(grader.render.disclosure). Annotations use the workflow-command syntax on stdout with GitHub's
escaping; the step summary and outputs are appended to the files GitHub names in the environment.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from grader.github_api import (
    GitHubApi,
    GitHubApiError,
    PullRequestTarget,
    graded_commit,
    pull_request_number,
    target_from_env,
)
from grader.render import disclosure
from grader.results import CheckResult, LabResult, RunResult, Status
from grader.words import count

MARKER = "<!-- backend-labs:grade-comment -->"
ICON: dict[Status, str] = {"pass": "✅", "fail": "❌", "error": "⚠️"}
WORD: dict[Status, str] = {"pass": "passed", "fail": "failed", "error": "grader error"}


# Workflow commands -----------------------------------------------------------------------------
def escape_data(text: str) -> str:
    """The message part of `::error ...::message` (GitHub's rule: %, CR and LF are encoded)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value such as file= or title= (also ':' and ',', which delimit properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def _file_path(lab: LabResult, check: CheckResult, bases: Mapping[str, str]) -> str | None:
    """The submission file relative to the repository root, e.g. labs/sql-joins/queries/01_x.sql."""
    if not check.file:
        return None
    return f"{bases.get(lab.id, f'labs/{lab.id}').rstrip('/')}/{check.file}"


def _with_hint(text: str, check: CheckResult) -> str:
    tip = disclosure.hint(check)
    return f"{text}\nhint: {tip}" if tip else text


def annotation_lines(run: RunResult, bases: Mapping[str, str] | None = None) -> list[str]:
    """One annotation per problem, on the submission file where the check knows it.

    A hidden check that fails on a file whose public check of the same task already failed adds
    nothing the learner can act on, so it is left out; otherwise it is reported without details.
    """
    bases = bases or {}
    lines: list[str] = []
    for lab in run.labs:
        if lab.message:
            lines.append(command("warning", f"{lab.message}\n(a grader problem, not a problem with the submission)",
                                 title=f"{lab.id}: the grader could not grade this lab"))
        public_failed = {(c.task, c.file) for c in lab.tests if c.visibility == "public" and c.status != "pass"}
        for check in lab.tests:
            if check.status == "pass":
                continue
            if check.visibility == "hidden" and (check.task, check.file) in public_failed:
                continue
            kind = "error" if check.status == "fail" else "warning"
            where: dict[str, str | int] = {}
            path = _file_path(lab, check, bases)
            if path:
                where = {"file": path, "line": 1}
            title = f"{lab.id} {disclosure.label(check)}"
            lines.append(command(kind, _with_hint(disclosure.message(check), check), **where, title=title))
    return list(dict.fromkeys(lines))


def redacted(run: RunResult) -> RunResult:
    """The run as a CI log may show it (the terminal report printed by --format github)."""
    return disclosure.redacted(run)


def outputs(run: RunResult) -> str:
    """Step outputs (`steps.<id>.outputs.score`), in the GITHUB_OUTPUT file's name=value form."""
    return f"score={disclosure.points(run.score)}\nmax_score={disclosure.points(run.max_score)}\n"


# Markdown --------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False).replace("|", "\\|")


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _counts(checks: list[CheckResult]) -> str:
    if not checks:
        return "—"
    passed = sum(c.status == "pass" for c in checks)
    return f"{passed}/{len(checks)} passed"


def _status(checks: list[CheckResult]) -> Status:
    statuses = {c.status for c in checks}
    return "error" if "error" in statuses else "fail" if "fail" in statuses else "pass"


def _task_table(lab: LabResult) -> list[str]:
    rows = ["| Task | Checks | Hidden checks | Points | Result |", "|---:|---|---|---:|---|"]
    by_task: dict[int | None, list[CheckResult]] = {}
    for check in sorted(lab.tests, key=lambda c: (c.task is None, c.task or 0)):
        by_task.setdefault(check.task, []).append(check)
    for task, checks in by_task.items():
        public = [c for c in checks if c.visibility == "public"]
        hidden = [c for c in checks if c.visibility == "hidden"]
        earned = disclosure.points(sum(c.points for c in checks))
        worth = disclosure.points(sum(c.max_points for c in checks))
        status = _status(checks)
        rows.append(f"| {task if task is not None else 'other'} | {_counts(public)} | {_counts(hidden)} "
                    f"| {earned}/{worth} | {ICON[status]} {WORD[status]} |")
    return rows


def _fix_list(lab: LabResult, bases: Mapping[str, str]) -> list[str]:
    problems = [c for c in lab.tests if c.status != "pass" and c.visibility == "public"]
    if not problems:
        return []
    lines = [f"<details><summary>What to fix in {html.escape(lab.id)} ({len(problems)})</summary>", ""]
    for check in problems:
        path = _file_path(lab, check, bases)
        where = f" — `{path}`" if path else ""
        lines.append(f"**{_cell(disclosure.label(check))}**{where}")
        lines.append("")
        lines.append(_fenced(disclosure.message(check)))
        tip = disclosure.hint(check)
        if tip:
            lines.extend(["", f"💡 {_cell(tip)}"])
        lines.append("")
    lines.append("</details>")
    return lines


def _lab_section(lab: LabResult, bases: Mapping[str, str]) -> list[str]:
    score = f"{disclosure.points(lab.score)}/{disclosure.points(lab.max_score)}"
    lines = [f"### {ICON[lab.status]} {_cell(lab.id)} — {_cell(lab.title)}: {score}", ""]
    if lab.message:
        lines += [f"> ⚠️ The grader could not grade this lab: {_cell(lab.message)}. "
                  "This is a grader problem, not a problem with your submission.", ""]
    if lab.tests:
        lines += [*_task_table(lab), ""]
    hidden_failed = [c for c in lab.tests if c.visibility == "hidden" and c.status == "fail"]
    if hidden_failed:
        lines += [f"{count(len(hidden_failed), 'hidden check')} failed. Hidden checks run your files on a second "
                  "dataset you cannot see; their details are not shown. Make sure your answer does not "
                  "depend on the sample data.", ""]
    fixes = _fix_list(lab, bases)
    return lines + ([*fixes, ""] if fixes else [])


def _course_lines(run: RunResult) -> list[str]:
    """Where the course came from, and what was noticed but not graded (one line each)."""
    lines = [f"Course: {_cell(run.course)}.", ""] if run.course else []
    for warning in run.warnings:
        lines += [f"> ⚠️ {_cell(warning)}", ""]
    return lines


def summary(run: RunResult, bases: Mapping[str, str] | None = None, commit: str | None = None) -> str:
    """The Markdown report: a total, a table per lab with a row per task, then what to fix."""
    bases = bases or {}
    notes = _course_lines(run)
    if not run.labs:
        return "## 🧪 Grading\n\nNo lab was graded: no lab's submission files changed.\n" + (
            "\n" + "\n".join(notes) + "\n" if notes else "")
    total = f"{disclosure.points(run.score)}/{disclosure.points(run.max_score)}"
    lines = [f"## {ICON[run.status]} Grading: {total} points", ""]
    if commit:
        lines += [f"Graded commit `{commit[:12]}`.", ""]
    lines += notes
    if len(run.labs) > 1:
        lines += ["| Lab | Score | Result |", "|---|---:|---|"]
        lines += [f"| {_cell(lab.id)} | {disclosure.points(lab.score)}/{disclosure.points(lab.max_score)} "
                  f"| {ICON[lab.status]} {WORD[lab.status]} |" for lab in run.labs]
        lines.append("")
    for lab in run.labs:
        lines += _lab_section(lab, bases)
    return "\n".join(lines).rstrip() + "\n"


# Publishing ------------------------------------------------------------------------------------
def _append(path: str, text: str) -> None:
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(text)


def missing_for_comment(env: Mapping[str, str]) -> list[str]:
    missing = [name for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not env.get(name)]
    if pull_request_number(env) is None:
        missing.append("a pull request number (GITHUB_EVENT_PATH of a pull_request event, or GRADER_PR_NUMBER)")
    return missing


def publish(
    run: RunResult,
    env: Mapping[str, str],
    echo: Callable[[str], None],
    bases: Mapping[str, str] | None = None,
    api: Callable[[PullRequestTarget], GitHubApi] = GitHubApi,
) -> list[str]:
    """Annotations to `echo` (stdout), summary and outputs to GitHub's files, the PR comment.

    Returns warnings; none of them changes the grading's exit code.
    """
    warnings: list[str] = []
    for line in annotation_lines(run, bases):
        echo(line)
    for warning in run.warnings:
        echo(command("warning", warning, title="not graded"))
    text = summary(run, bases, graded_commit(env))
    for variable, content in (("GITHUB_STEP_SUMMARY", text), ("GITHUB_OUTPUT", outputs(run))):
        path = env.get(variable)
        if not path:
            continue
        try:
            _append(path, content if variable == "GITHUB_OUTPUT" else content + "\n")
        except OSError as exc:
            warnings.append(f"could not write {variable} ({path}): {exc}")
    target = target_from_env(env)
    if target is None:
        echo(f"no PR comment: missing {', '.join(missing_for_comment(env))}")
    elif not run.labs:
        echo("no PR comment: no lab was graded")
    else:
        try:
            done = api(target).upsert_comment(MARKER, text)
            echo(f"PR comment {done} on {target.repository}#{target.number}")
        except GitHubApiError as exc:
            warnings.append(f"could not post the PR comment: {exc}")
        except Exception as exc:  # a comment is a courtesy: nothing in it may change the grading's outcome
            warnings.append(f"could not post the PR comment: unexpected {type(exc).__name__}: {exc}")
    return warnings
