"""Mutation testing: the mutators make the mistakes they promise, and every lab kills its mutants.

The per-lab sweep grades a stable sample of MUTANTS_PER_LAB mutants (a pytest child each, about
as costly as a wrong case), the mutants of every selected lab side by side in one pass;
`grader dev mutants LAB` grades them all. A survivor must be killed
by better data or checks, or recorded in `.meta/equivalent-mutants.yaml` with a reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import labs
from grader.errors import SpecError
from grader.mutants import mongo_json, python, sql
from grader.mutants.sweep import Report, equivalents, known_holes, mutants_for, sample, sweep_labs
from grader.parallel import default_jobs
from grader.prove import materialise
from grader.runner import grade
from grader.services.emulated_mongo import uses_emulator
from grader.services.session import ServicePool
from tests.mongo_emulation import decide

ROOT = Path(__file__).resolve().parent.parent
MUTANTS_PER_LAB = 4
MUTANTS_PER_APP_LAB = 2  # each one starts the learner's service per variant: the CI budget
decide()  # the MongoDB labs run on the labelled emulator only when no real server answers


def test_sql_mutants_cover_boundaries_joins_ties_and_aggregates() -> None:
    text = ("SELECT c.id, count(*) AS n FROM customers AS c LEFT JOIN orders AS o ON o.customer_id = c.id "
            "WHERE c.city IS NOT NULL AND o.total > 150 GROUP BY c.id HAVING count(*) >= 6 "
            "ORDER BY n DESC, c.id LIMIT 10;")
    made = {m.operator.rsplit("-", 1)[0]: m.text for m in sql.mutate("q.sql", text)}
    assert "o.total >= 150" in made["comparison"]
    assert "JOIN orders" in made["join-type"] and "LEFT JOIN" not in made["join-type"]
    assert "ORDER BY n DESC LIMIT" in made["drop-tie-breaker"]
    assert "COUNT(o." in made["count-star"]
    assert "LIMIT 11" in made["limit"]
    assert "c.city IS NOT NULL" not in made["drop-conjunct"] or "o.total > 150" not in made["drop-conjunct"]


def test_sql_mutants_skip_what_sqlglot_cannot_parse() -> None:
    body = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;"
    assert sql.mutate("f.sql", body) == []


def test_json_mutants_flip_boundaries_sorts_and_stages() -> None:
    pipeline = [{"$unwind": {"path": "$items", "preserveNullAndEmptyArrays": True}},
                {"$match": {"qty": {"$gt": 2}}}, {"$sort": {"total": -1, "_id": 1}}]
    made = [json.loads(m.text) for m in mongo_json.mutate("p.json", json.dumps(pipeline))]
    assert any(m[1] == {"$match": {"qty": {"$gte": 2}}} for m in made)
    assert any(m[0].get("$unwind", {}).get("preserveNullAndEmptyArrays") is False for m in made)
    assert any(m[-1] == {"$sort": {"total": 1, "_id": 1}} for m in made)
    assert sum(len(m) == 2 for m in made) == 3, "each stage dropped once"


def test_python_mutants_change_operators_constants_and_statements() -> None:
    source = "def f(r, n):\n    r.incr('k')\n    if n <= 0:\n        return []\n    return list(range(n + 1))\n"
    made = {m.operator.rsplit("-", 1)[0] for m in python.mutate("s.py", source)}
    assert {"comparison", "arithmetic", "constant", "drop-statement"} <= made


def test_sample_is_stable_and_capped() -> None:
    lab = labs.load("sql-window", ROOT)
    everything = mutants_for(lab)
    assert len(everything) > MUTANTS_PER_LAB
    first, again = sample(everything, MUTANTS_PER_LAB), sample(list(everything), MUTANTS_PER_LAB)
    assert [m.id for m in first] == [m.id for m in again] and len(first) == MUTANTS_PER_LAB
    assert len({m.id for m in everything}) == len(everything), "mutant ids are unique"


def test_equivalents_file_must_give_reasons(tmp_path: Path) -> None:
    lab = labs.load("sql-joins", ROOT)
    fake = labs.Lab(lab.id, tmp_path, lab.spec)
    (tmp_path / ".meta").mkdir()
    (tmp_path / ".meta" / "equivalent-mutants.yaml").write_text("- id: q.sql:limit-1\n")
    with pytest.raises(SpecError, match="reason"):
        equivalents(fake)


def test_a_recorded_file_that_is_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    lab = labs.load("sql-joins", ROOT)
    fake = labs.Lab(lab.id, tmp_path, lab.spec)
    (tmp_path / ".meta").mkdir()
    (tmp_path / ".meta" / "known-survivors.yaml").write_text("- id: q.sql:limit-1\n  reason: the same: 404\n")
    with pytest.raises(SpecError, match=r"known-survivors.yaml is not valid YAML \(line 2\)"):
        known_holes(fake)


def test_every_recorded_equivalent_names_a_real_mutant() -> None:
    for lab in labs.all_labs(ROOT):
        ids = {m.id for m in mutants_for(lab)}
        stale = sorted((set(equivalents(lab)) | set(known_holes(lab))) - ids)
        assert not stale, f"{lab.id}: equivalent-mutants.yaml or known-survivors.yaml names mutants that no longer " \
                          f"exist: {stale}"


def _limit(lab: labs.Lab) -> int:
    return MUTANTS_PER_APP_LAB if lab.spec.app is not None else MUTANTS_PER_LAB


OPEN_HOLES: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def _report_open_holes(pytestconfig: pytest.Config) -> None:
    """Known holes (.meta/known-survivors.yaml) that survived again are listed in pytest's summary."""

    class Summary:
        @staticmethod
        def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
            terminalreporter.section(f"known mutant survivors still open: {len(OPEN_HOLES)}")
            for line in OPEN_HOLES:
                terminalreporter.write_line(line)

    if not pytestconfig.pluginmanager.has_plugin("open-mutant-holes"):
        pytestconfig.pluginmanager.register(Summary(), "open-mutant-holes")


@pytest.fixture(scope="module")
def reports(request: pytest.FixtureRequest, pool: ServicePool) -> dict[str, Report]:
    """The selected labs' mutant samples (all, or those `-k` picks), graded side by side, once."""
    selected = [item.callspec.params["lab"] for item in request.session.items  # type: ignore[attr-defined]
                if getattr(item, "originalname", "") == "test_lab_has_no_unexplained_survivor"]
    return sweep_labs(selected, pool, ROOT, _limit, jobs=default_jobs() + 1)


@pytest.mark.slow
@pytest.mark.parametrize("lab", labs.all_labs(ROOT), ids=lambda lab: lab.id)
def test_lab_has_no_unexplained_survivor(lab: labs.Lab, reports: dict[str, Report]) -> None:
    report = reports[lab.id]
    OPEN_HOLES.extend(f"{lab.id} {g.mutant.id} ({g.mutant.where})" for g in report.open_holes)
    assert report.graded or report.generated == 0, f"{lab.id}: no mutant was graded"
    survivors = [f"{g.mutant.id} ({g.mutant.where})" for g in report.survivors]
    assert not survivors, (f"{lab.id}: mutants of the reference score 100 %: {survivors}. Close the hole in the "
                           "data or checks, or record an equivalent mutant in .meta/equivalent-mutants.yaml")
    faults = [f"{g.mutant.id}: {g.verdict.explain()}" for g in report.undecided
              if not uses_emulator(g.verdict.result.services)]
    assert not faults, f"{lab.id}: mutants the grader could not judge (a grader fault, not a kill): {faults}"


def test_a_rejection_stops_at_its_first_failed_check(pool: ServicePool) -> None:
    """Proofs and mutants stop at the first failed check; a learner's check always runs them all."""
    lab = labs.load("sql-joins", ROOT)
    with materialise(lab, "starter", lab.path) as starter:
        whole = grade(lab, pool, starter, ROOT)
        first = grade(lab, pool, starter, ROOT, stop_at_first_fail=True)
    assert sum(t.status == "fail" for t in whole.tests) > 1, "the starter should fail several checks"
    assert [t.status for t in first.tests].count("fail") == 1 and first.tests[-1].status == "fail"
    assert len(first.tests) < len(whole.tests) and first.score < first.max_score
    failed = first.tests[-1]
    assert failed.name in {t.name for t in whole.tests}, f"the stop itself must not read as a failure: {failed}"
    assert not first.message, first.message
