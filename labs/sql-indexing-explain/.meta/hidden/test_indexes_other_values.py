"""Hidden checks: the same query shapes with other values, so an index must fit the shape, not one value."""

import pytest

from grader.checks.explain import IndexedCopy, IndexedQuery

MAX_PAGES = 50


def _other_queries(sql):
    (email,) = sql.query(
        "SELECT lower(email) FROM users WHERE right(email, 5) = '.TEST' ORDER BY id DESC LIMIT 1"
    ).rows[0]
    (customer,) = sql.query(
        "SELECT customer_id FROM orders WHERE created_at >= '2025-01-01' AND created_at < '2025-04-01' "
        "GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1"
    ).rows[0]
    return [
        IndexedQuery("query 1 (another email)",
                     f"SELECT id, email, full_name FROM users WHERE lower(email) = '{email}'", "users", MAX_PAGES),
        IndexedQuery("query 2 (another customer and range)", "SELECT id, created_at, total FROM orders "
                     f"WHERE customer_id = {customer} AND created_at >= '2025-01-01' AND created_at < '2025-04-01' "
                     "ORDER BY created_at", "orders", MAX_PAGES, ordered=True),
        IndexedQuery("query 3 (LIMIT 5)", "SELECT id, customer_id, created_at FROM orders WHERE status = 'pending' "
                     "ORDER BY created_at LIMIT 5", "orders", MAX_PAGES, ordered=True),
    ]


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_other_values(sql):
    """all three query shapes with other values keep their results and read through indexes"""
    todo = _other_queries(sql)
    copy = IndexedCopy(sql, "indexes.sql", todo)
    problems = []
    for query in todo:
        try:
            copy.check(query)
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, "; ".join(problems)
