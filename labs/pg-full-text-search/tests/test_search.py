"""Public checks for pg-full-text-search: the search column compared with the reference's, plans read
with EXPLAIN (grader/checks/explain.py), and the functions' results compared with the reference's for
several searches. Functions are called from sessions whose default_text_search_config is 'simple'."""

import pytest

from grader.checks.explain import explain, index_problems
from grader.checks.problems import GraderFault, Mismatch
from grader.sqlcompare import Rules, compare

MAX_PAGES = 40  # a text search for a rare word
TRIGRAM_PAGES = 100  # trigram lookups read longer posting lists; a sequential scan reads over 600 pages
SIMPLE = "SET default_text_search_config = 'pg_catalog.simple'; "


def compare_calls(sql, files, calls, label):
    """Each call's result on a copy where the learner's files ran, against the reference's."""
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
        got = copies["submission"].expect_ok(SIMPLE + call, explain=f"{label} must run")
        outcome = compare(want, got, Rules(ordered=True, round_digits=4), reveal=sql.reveal)
        if not outcome.ok:
            shown = call if sql.reveal else f"search {number} of {len(calls)}"
            raise Mismatch(f"{shown}: {outcome.message}")


def plan_uses_an_index(sql, query, max_pages=MAX_PAGES):
    db = sql.applied("schema.sql")
    db.query("ANALYZE articles")
    problems = index_problems(explain(db.learner_url, query), "articles", max_pages)
    if problems:
        raise Mismatch(f"{query}: " + "; ".join(problems))


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_search_column_is_weighted_and_stemmed(sql):
    """schema.sql: articles.search holds the weighted English tsvector of title (A) and body (B)"""
    sql.check_after("schema.sql", "SELECT id, search::text AS search FROM articles ORDER BY id LIMIT 30",
                    ordered=True)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_text_search_uses_the_index(sql):
    """schema.sql: search @@ websearch_to_tsquery(...) reads articles through an index"""
    plan_uses_an_index(sql, "SELECT id FROM articles WHERE search @@ websearch_to_tsquery('english', 'replication')")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_similarity_search_uses_the_index(sql):
    """schema.sql: title % '…' reads articles through an index"""
    plan_uses_an_index(sql, "SELECT id FROM articles WHERE title % 'postgres replicaton'", TRIGRAM_PAGES)


@pytest.mark.task(2)
@pytest.mark.points(4)
def test_search_articles(sql):
    """search.sql: search_articles(q) finds stemmed matches, title hits first, ties by id"""
    compare_calls(sql, ["schema.sql", "search.sql"], [
        "SELECT * FROM search_articles('replication')",
        "SELECT * FROM search_articles('running')",
        "SELECT * FROM search_articles('vacuum -autovacuum')",
        "SELECT * FROM search_articles('Tuning')",
    ], "search_articles(q)")


@pytest.mark.task(3)
@pytest.mark.points(4)
def test_suggest_titles(sql):
    """suggest.sql: suggest_titles(q) finds titles despite typos, most similar first"""
    compare_calls(sql, ["suggest.sql"], [
        "SELECT * FROM suggest_titles('postgres replicaton')",
        "SELECT * FROM suggest_titles('vacum and bloat')",
        "SELECT * FROM suggest_titles('QUERY TUNNING')",
    ], "suggest_titles(q)")
