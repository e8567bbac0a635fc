"""Every lab in the course proves itself on real servers: reference and alternatives 100 %,
starter and every `.meta/wrong/` case below 100 %, and no check ends in `error`.

MongoDB labs: when no real MongoDB answers here, they run on the labelled emulator (see
tests/mongo_emulation.py). There, and only there, a check may end as `error` if it needs what the
emulator lacks (its message says so); the lab is then proven by the checks that could run, a wrong
case that only real-server checks tell apart is skipped with that reason, and the terminal summary
lists which lab cases and checks ran on the emulator and which could not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import labs
from grader.parallel import default_jobs
from grader.prove import Verdict, cases, prove_cases
from grader.services.session import ServicePool
from tests.mongo_emulation import MongoForTests, decide

ROOT = Path(__file__).resolve().parent.parent
ALL = [(lab, case, folder, full) for lab in labs.all_labs(ROOT) for case, folder, full in cases(lab)]
GRADED: dict[tuple[str, str], Verdict] = {}  # filled by the verdicts fixture; its timings go in the summary
MONGO: MongoForTests = decide()  # sets GRADER_MONGODB_BACKEND=emulated only when no real MongoDB answers


def _on_emulator(lab: labs.Lab) -> bool:
    return MONGO.emulated and "mongodb" in lab.spec.services


@pytest.fixture(scope="module", autouse=True)
def _report_mongo(pytestconfig: pytest.Config) -> None:
    """Print, in pytest's terminal summary, which MongoDB the lab cases used and what could not run there."""

    class Summary:
        @staticmethod
        def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
            terminalreporter.section("MongoDB backend")
            for line in MONGO.lines():
                terminalreporter.write_line(line)
            if GRADED:
                terminalreporter.section("lab proofs: where the time went (wall seconds per lab, all its cases)")
                per_lab: dict[str, float] = {}
                for verdict in GRADED.values():
                    per_lab[verdict.lab] = per_lab.get(verdict.lab, 0.0) + verdict.result.duration
                ranked = sorted(per_lab.items(), key=lambda item: -item[1])
                terminalreporter.write_line(", ".join(f"{lab} {seconds:.0f}" for lab, seconds in ranked))

    if not pytestconfig.pluginmanager.has_plugin("mongo-emulation-summary"):
        pytestconfig.pluginmanager.register(Summary(), "mongo-emulation-summary")


@pytest.fixture(scope="module")
def verdicts(request: pytest.FixtureRequest, pool: ServicePool) -> dict[tuple[str, str], Verdict]:
    """The selected cases (all, or those `-k` picks), graded side by side (one per core), once. A case
    that must be rejected stops at its first failed check: that failure is the proof."""
    selected = [item.callspec.params for item in request.session.items  # type: ignore[attr-defined]
                if getattr(item, "originalname", "") == "test_lab_case"]
    work = [(p["lab"], p["case"], p["folder"], p["expect_full"]) for p in selected]
    # one more than the cores: a lab with a web service spends much of its time waiting on it
    GRADED.update({(v.lab, v.case): v for v in prove_cases(work, pool, ROOT, default_jobs() + 1, first_fail=True)})
    return GRADED


@pytest.mark.slow
@pytest.mark.parametrize(("lab", "case", "folder", "expect_full"), ALL,
                         ids=[f"{lab.id}:{case}" + ("[emulated]" if _on_emulator(lab) else "")
                              for lab, case, _, _ in ALL])
def test_lab_case(lab: labs.Lab, case: str, folder: Path, expect_full: bool,
                  verdicts: dict[tuple[str, str], Verdict]) -> None:
    result = verdicts[(lab.id, case)].result
    if _on_emulator(lab):
        _prove_on_emulator(Verdict(lab.id, case, expect_full, result))
        return
    problems = [f"{t.status} {t.name}: {t.message[:200]}" for t in result.tests if t.status != "pass"]
    assert result.status != "error" or not expect_full, f"{lab.id} {case}: {result.message} {problems}"
    assert result.max_score > 0, f"{lab.id} {case} has no points to score: {result.message}"
    assert all(t.status != "error" for t in result.tests), f"{lab.id} {case}: checks errored: {problems}"
    if expect_full:
        assert result.score == result.max_score, f"{lab.id} {case} should score 100 %: {problems}"
    else:
        assert result.score < result.max_score, f"{lab.id} {case} should score below 100 % but scored full marks"


def _prove_on_emulator(verdict: Verdict) -> None:
    """As strict as the real-server proof for every check that ran; refused checks must say why."""
    lab, case, expect_full, result = verdict.lab, verdict.case, verdict.expect_full, verdict.result
    refused = verdict.refused_on_emulator()
    ran = [t for t in result.tests if t not in refused]
    problems = [f"{t.status} {t.name}: {t.message[:200]}" for t in ran if t.status != "pass"]
    MONGO.ran.append(f"{lab} {case}: {len(ran)} checks")
    for check in refused:
        MONGO.refused(lab, check.name, check.message)
    assert not result.message, f"{lab} {case}: {result.message}"
    assert ran and sum(t.max_points for t in ran) > 0, f"{lab} {case}: no check could run on the emulator"
    assert all(t.status != "error" for t in ran), f"{lab} {case}: checks errored: {problems}"
    if expect_full:
        assert all(t.status == "pass" for t in ran), f"{lab} {case} should pass every check that ran: {problems}"
    elif verdict.decide() is None:
        MONGO.unprovable.append(f"{lab} {case}")
        pytest.skip(f"{lab} {case} is rejected only by checks that need a real MongoDB server "
                    f"({len(refused)} checks could not run on the emulator)")


def test_every_lab_has_wrong_cases_and_public_checks() -> None:
    for lab in labs.all_labs(ROOT):
        assert len(lab.wrong_cases()) >= 2, f"{lab.id} needs at least two .meta/wrong/ cases"
        assert list((lab.path / "tests").glob("test_*.py")), f"{lab.id} has no public checks in tests/"
        assert (lab.path / "README.md").read_text().count("\n## 1.") == 1, f"{lab.id} README needs '## 1.'"
        for name in lab.spec.submission:
            assert (lab.path / name).is_file(), f"{lab.id}: starter file {name} is missing"
            assert (lab.solution_dir / name).is_file(), f"{lab.id}: reference has no {name}"
