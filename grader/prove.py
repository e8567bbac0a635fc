"""A lab proves itself: reference and alternatives score 100 %, the starter and each wrong case less."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader import starter
from grader.labs import Lab
from grader.parallel import run_all, warm_up
from grader.results import CheckResult, LabResult
from grader.runner import Submission, grade
from grader.services.emulated_mongo import emulated_proof, refused_on_emulator, uses_emulator
from grader.services.session import ServicePool


@dataclass(frozen=True)
class Verdict:
    lab: str
    case: str  # "solution", "starter", "wrong/<name>", "alternative/<name>"
    expect_full: bool
    result: LabResult

    @property
    def ok(self) -> bool:
        if self.result.status == "error":
            return False
        full = self.result.score == self.result.max_score and self.result.max_score > 0
        return full if self.expect_full else not full

    def decide(self) -> bool | None:
        """True: proven; False: disproven; None: only checks that need a real MongoDB server could tell.

        On the labelled MongoDB emulator some checks are refused (an `error` that says so); a case is
        then proven by the checks that could run, as strictly as on a real server.
        """
        if self.ok or self.result.message or not uses_emulator(self.result.services):
            return self.ok
        return emulated_proof([(t.status, t.message) for t in self.result.tests], self.expect_full)

    def refused_on_emulator(self) -> list[CheckResult]:
        return [t for t in self.result.tests if t.status == "error" and refused_on_emulator(t.message)]

    def explain(self) -> str:
        want = "100 %" if self.expect_full else "below 100 %"
        problems = [f"{t.status}: {t.name}: {t.message.splitlines()[0] if t.message else ''}"
                    for t in self.result.tests if t.status != "pass"]
        detail = "; ".join(problems[:4]) or self.result.message
        return (f"{self.lab} {self.case}: expected {want}, got {self.result.score:g}/{self.result.max_score:g} "
                f"({self.result.status}) {detail}")


@contextlib.contextmanager
def materialise(lab: Lab, case: str, folder: Path) -> Iterator[Submission]:
    """The files to grade for a case. A wrong or alternative case holds only the files it changes:
    it is laid over a copy of the reference, so the one mistake it makes is all it shows. The starter
    is the committed one (git), so an author who solved the lab in place still proves the starter."""
    if case == "starter":
        with tempfile.TemporaryDirectory(prefix=f"grader-starter-{lab.id}-") as scratch:
            found = starter.starter(lab)
            starter.write(found, lab, Path(scratch))
            label = "starter" if found.commit and not found.uncommitted else "starter (working tree: not in git)"
            yield Submission(Path(scratch), label)
        return
    if not case.startswith(("wrong/", "alternative/")):
        yield Submission(folder, case)
        return
    with tempfile.TemporaryDirectory(prefix=f"grader-case-{lab.id}-") as scratch:
        shutil.copytree(lab.solution_dir, scratch, dirs_exist_ok=True)
        shutil.copytree(folder, scratch, dirs_exist_ok=True)
        yield Submission(Path(scratch), case)


def cases(lab: Lab) -> list[tuple[str, Path, bool]]:
    found = [("solution", lab.solution_dir, True), ("starter", lab.path, False)]
    found += [(f"wrong/{p.name}", p, False) for p in lab.wrong_cases()]
    found += [(f"alternative/{p.name}", p, True) for p in lab.alternative_cases()]
    return found


def prove_case(lab: Lab, case: str, folder: Path, expect_full: bool, pool: ServicePool, root: Path,
               first_fail: bool = False) -> Verdict:
    """`first_fail`: a case that must be rejected stops at its first failed check (its score then
    counts only the checks that ran); a case that must score 100 % always runs every check."""
    with materialise(lab, case, folder) as submission:
        log_name = f"{lab.id}.{case.replace('/', '.')}"
        result = grade(lab, pool, submission, root, log_name=log_name,
                       stop_at_first_fail=first_fail and not expect_full)
        return Verdict(lab.id, case, expect_full, result)


Case = tuple[Lab, str, Path, bool]  # lab, case name, folder, whether it must score 100 %


def prove(labs: list[Lab], pool: ServicePool, root: Path, jobs: int = 1) -> list[Verdict]:
    """Every case of every lab, `jobs` at a time, in lab and case order."""
    return prove_cases([(lab, case, folder, full) for lab in labs for case, folder, full in cases(lab)],
                       pool, root, jobs)


def prove_cases(work: list[Case], pool: ServicePool, root: Path, jobs: int = 1,
                first_fail: bool = False) -> list[Verdict]:
    warm_up(pool, list({lab.id: lab for lab, _, _, _ in work}.values()))
    return run_all(work, lambda job: prove_case(*job, pool, root, first_fail), jobs)
