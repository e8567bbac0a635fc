"""grader/checks/explain.py on a real server: plan walking, index verdicts, page budgets, and the
guards of IndexedCopy (results unchanged, no planner overrides)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from grader.checks.explain import IndexedCopy, IndexedQuery, PlanNode, explain, index_problems, parse
from grader.checks.problems import Mismatch, SubmissionProblem
from grader.checks.sql import SqlChecker
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool

SEED = """
CREATE TABLE events (id integer PRIMARY KEY, owner integer NOT NULL, at timestamp NOT NULL, kind text NOT NULL);
INSERT INTO events
SELECT i, (i * 7919) % 5000, TIMESTAMP '2024-01-01' + ((i::bigint * 104729) % 1051200) * INTERVAL '1 minute',
       CASE WHEN i % 100 = 0 THEN 'rare' ELSE 'common' END
FROM generate_series(1, 60000) AS i;
ANALYZE;
"""
ONE_OWNER = "SELECT id, at FROM events WHERE owner = 42 AND at >= '2024-06-01' AND at < '2025-06-01' ORDER BY at"


@pytest.fixture(scope="module")
def template(pool: ServicePool) -> Iterator[tuple[PostgresIsolation, str]]:
    iso = PostgresIsolation(pool.get("postgres").url)
    iso.ensure_learner_role()
    name = iso.create_copy(None)
    with psycopg.connect(iso.learner_url(name, 10000), autocommit=True) as conn:
        conn.execute(SEED.encode())
    try:
        yield iso, name
    finally:
        iso.drop(name)


@pytest.fixture
def checker(template: tuple[PostgresIsolation, str], tmp_path: Path) -> Iterator[SqlChecker]:
    iso, seeded = template
    made: list[str] = []

    def make() -> SqlChecker:
        name = iso.create_copy(seeded)
        made.append(name)
        return SqlChecker(iso.learner_url(name, 10000), iso.admin_url_for(name), tmp_path, None, 10000, True,
                          make, lambda rel: None)

    yield make()
    for name in made:
        iso.drop(name)


def _with(checker: SqlChecker, script: str) -> SqlChecker:
    with psycopg.connect(checker.learner_url, autocommit=True) as conn:
        conn.execute(script.encode())
        conn.execute("ANALYZE")
    return checker


def test_parse_walks_nested_plans() -> None:
    plan = parse([{"Plan": {"Node Type": "Limit", "Shared Hit Blocks": 3, "Shared Read Blocks": 2, "Plans": [
        {"Node Type": "Bitmap Heap Scan", "Relation Name": "t", "Plans": [
            {"Node Type": "Bitmap Index Scan", "Index Name": "t_x_idx"}]}]}}])
    assert plan.pages == 5
    assert [n.node_type for n in plan.root.walk()] == ["Limit", "Bitmap Heap Scan", "Bitmap Index Scan"]
    assert plan.scans_of("t")[0].describe() == "Bitmap Heap Scan on t (via t_x_idx)"
    assert PlanNode("Index Scan", "t", "t_pkey").describe() == "Index Scan using t_pkey on t"


def test_without_an_index_the_verdict_names_the_seq_scan(checker: SqlChecker) -> None:
    problems = index_problems(explain(checker.learner_url, ONE_OWNER), "events", 50)
    assert len(problems) == 1 and "events is read by Seq Scan on events" in problems[0]


def test_a_fitting_index_passes(checker: SqlChecker) -> None:
    _with(checker, "CREATE INDEX ON events (owner, at)")
    plan = explain(checker.learner_url, ONE_OWNER)
    assert index_problems(plan, "events", 50) == []
    assert plan.pages < 50


def test_an_index_in_the_wrong_order_fails_on_pages(checker: SqlChecker) -> None:
    _with(checker, "CREATE INDEX ON events (at, owner)")
    plan = explain(checker.learner_url, ONE_OWNER)
    problems = index_problems(plan, "events", 50)
    assert len(problems) == 1 and f"touched {plan.pages} pages" in problems[0] and plan.pages > 50


def test_indexed_copy_catches_changed_results_and_planner_overrides(checker: SqlChecker, tmp_path: Path) -> None:
    query = IndexedQuery("query 1", ONE_OWNER, "events", 50, ordered=True)
    (tmp_path / "good.sql").write_text("CREATE INDEX ON events (owner, at);")
    IndexedCopy(checker, "good.sql", [query]).check(query)
    (tmp_path / "deletes.sql").write_text("CREATE INDEX ON events (owner, at); DELETE FROM events WHERE owner = 42;")
    with pytest.raises(Mismatch, match="returns a different result"):
        IndexedCopy(checker, "deletes.sql", [query]).check(query)
    (tmp_path / "forces.sql").write_text(
        "CREATE INDEX ON events (owner, at); DO $$ BEGIN EXECUTE format("
        "'ALTER DATABASE %I SET enable_seqscan = off', current_database()); END $$;")
    # refused either way: the learner may not alter the database (hardening), or the override is named
    with pytest.raises((Mismatch, SubmissionProblem), match=r"enable_seqscan = off|must be owner of database"):
        IndexedCopy(checker, "forces.sql", [query]).check(query)
