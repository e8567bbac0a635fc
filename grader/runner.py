"""Grading one lab: services, then its checks in a pytest child process, then results as data.

The child process is where checks run; learner Python runs one level further down, in workers.
Whatever goes wrong on the grader's side becomes a lab `error` with a message, not a crash.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader.context import RunContext
from grader.errors import ServiceUnavailable
from grader.labs import Lab
from grader.paths import state_dir
from grader.results import CheckResult, LabResult
from grader.services.session import ServicePool


@dataclass(frozen=True)
class Submission:
    """Which files to grade: the lab folder (the learner's), the reference, or another folder."""

    folder: Path
    label: str


def submission_for(lab: Lab, solution: bool, folder: Path | None) -> Submission:
    if solution:
        return Submission(lab.solution_dir, "reference solution")
    if folder is not None:
        return Submission(folder.resolve(), str(folder))
    return Submission(lab.path, "your submission")


def _check_paths(lab: Lab, include_hidden: bool) -> list[Path]:
    paths = [lab.path / "tests"]
    if include_hidden and (lab.meta / "hidden").is_dir():
        paths.append(lab.meta / "hidden")
    return [p for p in paths if p.is_dir()]


def grade(lab: Lab, pool: ServicePool, submission: Submission, root: Path) -> LabResult:
    started = time.monotonic()
    result = LabResult(id=lab.id, title=lab.spec.title)
    try:
        services = {name: pool.get(name) for name in lab.spec.services}
    except ServiceUnavailable as exc:
        result.message = f"a service this lab needs could not be started: {exc}"
        return result.finish()
    result.services = [f"{s.service}: {s.description}" for s in services.values()]
    include_hidden = (lab.meta / "hidden").is_dir() or lab.solution_dir.is_dir()
    with tempfile.TemporaryDirectory(prefix="grader-run-") as scratch:
        context = RunContext(
            lab_id=lab.id,
            lab_dir=str(lab.path),
            submission_dir=str(submission.folder),
            reference_dir=str(lab.solution_dir) if lab.solution_dir.is_dir() else None,
            include_hidden=include_hidden,
            services={name: s.url for name, s in services.items()},
            dataset=lab.spec.dataset,
            root=str(root),
            limits=lab.spec.limits,
            hints=lab.spec.hints,
            requires_features=lab.spec.requires_features,
            results_path=str(Path(scratch) / "results.json"),
        )
        context_path = Path(scratch) / "context.json"
        context_path.write_text(context.model_dump_json())
        context_path.chmod(0o600)  # holds administrator URLs
        _run_checks(lab, context, context_path, include_hidden, result)
    result.duration = round(time.monotonic() - started, 3)
    return result.finish()


def _run_checks(lab: Lab, context: RunContext, context_path: Path, include_hidden: bool, result: LabResult) -> None:
    log_path = state_dir() / "logs" / f"{lab.id}.log"
    log_path.parent.mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", "pytest", *map(str, _check_paths(lab, include_hidden)),
        f"--grader-context={context_path}", f"--rootdir={lab.path}", "--import-mode=importlib",
        "-p", "no:cacheprovider", "-o", "addopts=", "-q", "--no-header", "-rN",
    ]
    with log_path.open("w") as log:
        try:
            subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=lab.path, check=False,
                           timeout=lab.spec.limits.lab_timeout_s)
        except subprocess.TimeoutExpired:
            result.message = (
                f"the checks did not finish within {lab.spec.limits.lab_timeout_s:g} s (lab_timeout_s); see {log_path}"
            )
            return
    results_path = Path(context.results_path)
    if not results_path.is_file():
        result.message = f"the checks ended without results; see {log_path}"
        return
    payload = json.loads(results_path.read_text())
    result.tests = [CheckResult.model_validate(t) for t in payload["tests"]]
    if payload["collection_errors"]:
        result.message = "the lab's checks could not be loaded: " + "; ".join(payload["collection_errors"])
    elif not result.tests:
        result.message = f"the lab has no checks to run; see {log_path}"
