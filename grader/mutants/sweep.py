"""Mutation testing of a lab: mutants of its reference, each graded like a wrong case, survivors reported.

A mutant that scores 100 % survived: either it is equivalent to the reference (recorded in
`.meta/equivalent-mutants.yaml` with a reason) or the data and checks cannot tell a plausible
mistake from the right answer, a hole to close. Grading costs a pytest child per mutant, so a sweep
may be capped: the sample is chosen by a hash of each mutant's id, the same on every run.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from grader.errors import SpecError
from grader.labs import Lab
from grader.mutants import mongo_json, python, sql
from grader.mutants.model import Mutant
from grader.parallel import run_all, warm_up
from grader.prove import Verdict, materialise
from grader.runner import grade
from grader.services.session import ServicePool

MUTATORS: dict[str, Callable[[str, str], list[Mutant]]] = {".sql": sql.mutate, ".json": mongo_json.mutate,
                                                           ".py": python.mutate}
EQUIVALENTS = "equivalent-mutants.yaml"
KNOWN_HOLES = "known-survivors.yaml"  # survivors seen and not yet closed: reported on every run, never passed over


def mutants_for(lab: Lab) -> list[Mutant]:
    """Every mutant of every reference file the learner writes, file by file in lab.yaml order."""
    found: list[Mutant] = []
    for rel in lab.spec.submission:
        path = lab.solution_dir / rel
        mutator = MUTATORS.get(path.suffix)
        if mutator is not None and path.is_file():
            found += mutator(rel, path.read_text(encoding="utf-8"))
    return found


def sample(mutants: list[Mutant], limit: int | None) -> list[Mutant]:
    """At most `limit` mutants, chosen by a hash of their ids (stable), kept in their original order."""
    if limit is None or len(mutants) <= limit:
        return mutants
    ranked = sorted(mutants, key=lambda m: hashlib.sha256(m.id.encode()).hexdigest())[:limit]
    chosen = {m.id for m in ranked}
    return [m for m in mutants if m.id in chosen]


def equivalents(lab: Lab) -> dict[str, str]:
    """Mutant id -> why it cannot be told from the reference, from .meta/equivalent-mutants.yaml."""
    return _recorded(lab, EQUIVALENTS)


def known_holes(lab: Lab) -> dict[str, str]:
    """Mutant id -> what is known of it, from .meta/known-survivors.yaml: survivors found and not yet
    closed by better data or checks (or shown equivalent). A sweep lists them on every run, so a hole
    stays visible; a new survivor still fails."""
    return _recorded(lab, KNOWN_HOLES)


def _recorded(lab: Lab, name: str) -> dict[str, str]:
    path = lab.meta / name
    if not path.is_file():
        return {}
    try:
        entries = yaml.safe_load(path.read_text()) or []
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise SpecError(f"{path} is not valid YAML{line}: {getattr(exc, 'problem', None) or exc}",
                        "a reason with a colon in it goes in quotes or in a block (reason: >-)") from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and {"id", "reason"} <= set(e) for e in entries):
        raise SpecError(f"{path} must be a list of {{id: <mutant id>, reason: <why it is recorded>}}",
                        "see `grader dev mutants LAB` for the ids")
    return {str(e["id"]): str(e["reason"]) for e in entries}


@dataclass(frozen=True)
class Graded:
    mutant: Mutant
    verdict: Verdict

    @property
    def killed(self) -> bool | None:
        """True: rejected; False: scored 100 %; None: undecided (grading error, or emulator-only checks)."""
        decided = self.verdict.decide()
        if decided is None or (self.verdict.result.status == "error" and decided is False):
            return None
        return decided


@dataclass
class Report:
    lab: str
    graded: list[Graded] = field(default_factory=list)
    equivalent: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # known holes (KNOWN_HOLES)
    generated: int = 0  # before the cap

    @property
    def survivors(self) -> list[Graded]:
        """Unexplained survivors: neither equivalent nor a known, recorded hole."""
        return [g for g in self.graded if g.killed is False and g.mutant.id not in self.equivalent
                and g.mutant.id not in self.known]

    @property
    def open_holes(self) -> list[Graded]:
        """Known holes that survived this run again."""
        return [g for g in self.graded if g.killed is False and g.mutant.id in self.known]

    @property
    def undecided(self) -> list[Graded]:
        return [g for g in self.graded if g.killed is None]

    @property
    def score(self) -> str:
        counted = [g for g in self.graded if g.killed is not None and g.mutant.id not in self.equivalent]
        if not counted:
            return "no mutants"
        killed = sum(1 for g in counted if g.killed)  # a mutant recorded as equivalent counts on neither side
        return f"{killed}/{len(counted)} killed ({100 * killed / len(counted):.0f} %)"


def sweep(lab: Lab, pool: ServicePool, root: Path, limit: int | None = None,
          progress: Callable[[Graded], None] | None = None, jobs: int = 1) -> Report:
    """Grade (a stable sample of) the lab's mutants, each laid over the reference like a wrong case,
    `jobs` at a time."""
    return sweep_labs([lab], pool, root, lambda _: limit, progress, jobs)[lab.id]


def sweep_labs(labs: list[Lab], pool: ServicePool, root: Path, limit: Callable[[Lab], int | None],
               progress: Callable[[Graded], None] | None = None, jobs: int = 1) -> dict[str, Report]:
    """The mutants of several labs graded side by side in one pass (`jobs` at a time, whatever lab
    they come from), so a lab with few mutants does not leave cores idle. A mutant is killed by its
    first failed check: the run stops there."""
    reports: dict[str, Report] = {}
    work: list[tuple[Lab, Mutant]] = []
    for lab in labs:
        everything = mutants_for(lab)
        reports[lab.id] = Report(lab.id, equivalent=equivalents(lab), known=known_holes(lab),
                                 generated=len(everything))
        work += [(lab, mutant) for mutant in sample(everything, limit(lab))]

    def grade_one(job: tuple[Lab, Mutant]) -> Graded:
        graded = grade_mutant(*job, pool, root)
        if progress is not None:
            progress(graded)
        return graded

    warm_up(pool, labs)
    for graded in run_all(work, grade_one, jobs):
        reports[graded.verdict.lab].graded.append(graded)
    return reports


def grade_mutant(lab: Lab, mutant: Mutant, pool: ServicePool, root: Path) -> Graded:
    with tempfile.TemporaryDirectory(prefix="grader-mutant-") as folder:
        target = Path(folder) / mutant.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(mutant.text, encoding="utf-8")
        case = f"wrong/mutant:{mutant.id}"
        with materialise(lab, case, Path(folder)) as submission:
            log_name = f"{lab.id}.mutant.{mutant.id.replace('/', '.').replace(':', '.')}"
            result = grade(lab, pool, submission, root, log_name=log_name, stop_at_first_fail=True)
            return Graded(mutant, Verdict(lab.id, case, False, result))
