"""A lab proves itself: reference and alternatives score 100 %, the starter and each wrong case less."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.labs import Lab
from grader.results import LabResult
from grader.runner import Submission, grade
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

    def explain(self) -> str:
        want = "100 %" if self.expect_full else "below 100 %"
        problems = [f"{t.status}: {t.name}: {t.message.splitlines()[0] if t.message else ''}"
                    for t in self.result.tests if t.status != "pass"]
        detail = "; ".join(problems[:4]) or self.result.message
        return (f"{self.lab} {self.case}: expected {want}, got {self.result.score:g}/{self.result.max_score:g} "
                f"({self.result.status}) {detail}")


def cases(lab: Lab) -> list[tuple[str, Path, bool]]:
    found = [("solution", lab.solution_dir, True), ("starter", lab.path, False)]
    found += [(f"wrong/{p.name}", p, False) for p in lab.wrong_cases()]
    found += [(f"alternative/{p.name}", p, True) for p in lab.alternative_cases()]
    return found


def prove(lab: Lab, pool: ServicePool, root: Path) -> list[Verdict]:
    return [
        Verdict(lab.id, case, expect_full, grade(lab, pool, Submission(folder, case), root))
        for case, folder, expect_full in cases(lab)
    ]
