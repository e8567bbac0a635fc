"""Hidden checks: other searches — a phrase, OR, a typo in another place — and another plan."""

import pytest

from grader.checks.explain import explain, index_problems
from grader.checks.problems import GraderFault, Mismatch
from grader.sqlcompare import Rules, compare

SIMPLE = "SET default_text_search_config = 'pg_catalog.simple'; "


def _compare(sql, files, calls):
    copies = {}
    for source in ("reference", "submission"):
        copy = sql.applied(files[0], source)
        for rel in files[1:]:
            copy.run(rel, source, commit=True)
        copies[source] = copy
    for number, call in enumerate(calls, 1):
        try:
            want = copies["reference"].expect_ok(SIMPLE + call, explain="the reference")
        except Mismatch as exc:
            raise GraderFault(f"the reference failed: {exc}") from None
        got = copies["submission"].expect_ok(SIMPLE + call, explain="the function must run")
        outcome = compare(want, got, Rules(ordered=True, round_digits=4), reveal=False)
        assert outcome.ok, f"search {number} of {len(calls)}: {outcome.message}"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_other_searches(sql):
    """search_articles with a phrase, OR, and a stemmed plural"""
    _compare(sql, ["schema.sql", "search.sql"], [
        "SELECT * FROM search_articles('\"replication slots\"')",
        "SELECT * FROM search_articles('freeze or tuning')",
        "SELECT * FROM search_articles('runs')",
    ])


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_other_suggestions(sql):
    """suggest_titles with other typos"""
    _compare(sql, ["suggest.sql"], [
        "SELECT * FROM suggest_titles('replication myth')",
        "SELECT * FROM suggest_titles('runing postgres')",
    ])


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_another_term_uses_the_index(sql):
    """search for another rare term reads articles through an index"""
    db = sql.applied("schema.sql")
    db.query("ANALYZE articles")
    plan = explain(db.learner_url, "SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'tuning')")
    problems = index_problems(plan, "articles", 40)
    assert not problems, "a search for a rare term must read articles through an index on the search column"
