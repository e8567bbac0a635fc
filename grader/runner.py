"""Grading one lab: services, then its checks in a pytest child process, then results as data.

The child process is where checks run; learner Python runs one level further down, in sandboxes.
Whatever goes wrong on the grader's side becomes a lab `error` with a message, not a crash; a run
the submission cut short (too slow, its checks' process killed) is the learner's fail. Every result
is redacted (URLs, passwords, tokens, hidden-check lines) before any report sees it.
The lab (its checks, lab.yaml, reference) comes from the trusted course (grader.course_source);
of the learner's tree only the staged submission files are seen (grader.submission).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader import checks_process, leftovers, reference_inputs
from grader.context import RunContext
from grader.course_source import Course
from grader.errors import ServiceUnavailable
from grader.labs import Lab
from grader.paths import state_dir
from grader.redaction import Redactor, environment_secrets, hidden_source_lines, url_secrets
from grader.results import CheckResult, LabResult
from grader.services.session import ServicePool
from grader.submission import stage


@dataclass(frozen=True)
class Submission:
    """Where the submission files are read from: the learner's lab folder, the reference, another folder."""

    folder: Path
    label: str


def submission_for(lab: Lab, solution: bool, folder: Path | None, learner_root: Path | None = None) -> Submission:
    """`learner_root` is the learner's tree when the course comes from elsewhere (a base ref, a bundle)."""
    if solution:
        return Submission(lab.solution_dir, "reference solution")
    if folder is not None:
        return Submission(folder.resolve(), str(folder))
    return Submission(learner_root / "labs" / lab.id if learner_root else lab.path, "your submission")


def _check_paths(lab: Lab, include_hidden: bool) -> list[Path]:
    paths = [lab.path / "tests"]
    if include_hidden and (lab.meta / "hidden").is_dir():
        paths.append(lab.meta / "hidden")
    return [p for p in paths if p.is_dir()]


def grade(lab: Lab, pool: ServicePool, submission: Submission, root: Path, course: Course | None = None,
          record_to: Path | None = None, log_name: str | None = None, task: int | None = None,
          stop_at_first_fail: bool = False) -> LabResult:
    """`course` (default: the checkout at `root`) may bring a bundle's secret or a release's record;
    `record_to` (grader release) writes the reference's answers on public data there; `log_name` keeps
    the logs of gradings of one lab that run side by side apart (default: the lab id); `task` grades
    only that task's checks; `stop_at_first_fail` ends the run at the first failed check (a proof that
    a submission is rejected needs no more, and its score then counts only the checks that ran)."""
    started = time.monotonic()
    course = course or Course(root, f"the checkout {root}")  # a student edition's record is found from here
    result = LabResult(id=lab.id, title=lab.spec.title)
    try:
        services = {name: pool.get(name) for name in lab.spec.services}
    except ServiceUnavailable as exc:
        result.message = f"a service this lab needs could not be started: {exc}"
        return result.finish()
    result.services = [f"{s.service}: {s.description}" for s in services.values()]
    include_hidden = ((lab.meta / "hidden").is_dir() or lab.solution_dir.is_dir()) and record_to is None
    leftovers.prune_once()
    with tempfile.TemporaryDirectory(prefix="grader-run-") as scratch, \
            stage(lab.spec.submission, submission.folder) as staged:
        answers = reference_inputs.prepare(lab, course, Path(scratch), record_to)
        if answers.problem:
            result.message = answers.problem
            return result.finish()
        context = RunContext(
            lab_id=lab.id,
            lab_dir=str(lab.path),
            submission_dir=str(staged.folder),
            reference_dir=str(lab.solution_dir) if lab.solution_dir.is_dir() else None,
            include_hidden=include_hidden,
            services={name: s.url for name, s in services.items()},
            dataset=lab.spec.dataset,
            root=str(root),
            limits=lab.spec.limits,
            hints=lab.spec.first_hints(),
            task=task,
            requires_features=lab.spec.requires_features,
            dataset_secret=course.secret,
            answers=answers.mode,
            answers_path=answers.path,
            app=lab.spec.app,
            stop_at_first_fail=stop_at_first_fail,
        )
        _run_checks(lab, context, include_hidden, result, Path(scratch), log_name or lab.id)
        result.tests += staged.problems()
        reference_inputs.finish(answers, record_to)
    redactor = Redactor([*(secret for url in context.services.values() for secret in url_secrets(url)),
                         *environment_secrets(os.environ), *hidden_source_lines([lab.meta / "hidden"])])
    redactor.lab(result)
    result.duration = round(time.monotonic() - started, 3)
    return result.finish()


def _empty_ini(folder: Path) -> Path:
    ini = folder / "pytest.ini"
    ini.write_text("[pytest]\n")
    return ini


def _run_checks(lab: Lab, context: RunContext, include_hidden: bool, result: LabResult, scratch: Path,
                log_name: str) -> None:
    """The checks in a pytest child; its results count only if it ended as pytest ends normally."""
    log_path = state_dir() / "logs" / f"{log_name}.log"
    log_path.parent.mkdir(exist_ok=True)
    args = [
        *map(str, _check_paths(lab, include_hidden)),
        f"--rootdir={lab.path}", "--import-mode=importlib",
        f"--confcutdir={lab.path}", "-c", str(_empty_ini(scratch)),  # no conftest or ini from above the lab
        "-p", "grader.plugin", "-p", "no:cacheprovider", "-p", "no:debugging",  # no pdb: nobody is at its prompt
        "-o", "addopts=", "-q", "--no-header", "-rN",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",  # forked: the plugin was imported before pytest
    ]
    timeout = lab.spec.limits.lab_timeout_s
    with log_path.open("w") as log:
        outcome = checks_process.run(args, context.model_dump_json(), log, timeout, lab.path)
    if not outcome.ended_normally:
        leftovers.after_abnormal_end(context.services)
        _abnormal_end(outcome, timeout, log_path, result)
        return
    payload = outcome.end or {}
    result.tests = [CheckResult.model_validate(t) for t in payload["tests"]]
    if payload["collection_errors"]:
        result.message = "the lab's checks could not be loaded: " + "; ".join(payload["collection_errors"])
    elif not result.tests:
        result.message = f"the lab has no checks to run; see {log_path}"


def _abnormal_end(outcome: checks_process.ChildOutcome, timeout: float, log_path: Path, result: LabResult) -> None:
    """A run without trustworthy results: the learner's fail when the submission can have caused it
    (too slow, the checks' process killed from outside), otherwise a grader error."""
    if outcome.timed_out:
        problem = (f"the checks did not finish within {timeout:g} s (lab_timeout_s): your submission is too slow "
                   "or blocks; each query file and function call has its own, shorter limit")
    elif (outcome.returncode is not None and outcome.returncode < 0) or outcome.returncode == 2:
        problem = (f"the process running the checks was stopped from outside ({outcome.describe_end()}) while "
                   "your submission ran; no result of this run counts")
    else:
        result.message = f"the checks ended abnormally ({outcome.describe_end()}); see {log_path}"
        return
    result.tests = [CheckResult(name="the lab's checks ran to the end", status="fail", points=0.0,
                                max_points=outcome.max_points or 1.0, message=problem)]
