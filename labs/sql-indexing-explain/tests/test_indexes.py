"""Public checks for sql-indexing-explain: each task's query keeps its result and reads its table through an index.

How a plan is judged is in grader/checks/explain.py: EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON), every
scan of the table an index read, and at most 50 pages touched.
"""

import pytest

from grader.checks.explain import IndexedCopy, IndexedQuery

MAX_PAGES = 50
_copies: dict[str, IndexedCopy] = {}


def queries(sql, seed):
    """The README's three queries, with values taken from this variant's data (the row at an offset made
    from the seed, within the table: a bundle's sealed seed is a 64-bit number)."""
    (users,) = sql.query("SELECT count(*) FROM users").rows[0]
    (email,) = sql.query(f"SELECT lower(email) FROM users ORDER BY id OFFSET {1234 * seed % users} LIMIT 1").rows[0]
    regulars = ("SELECT customer_id FROM orders WHERE created_at >= '2024-07-01' AND created_at < '2025-07-01' "
                "GROUP BY customer_id HAVING count(*) >= 2")
    (count,) = sql.query(f"SELECT count(*) FROM ({regulars}) AS r").rows[0]
    (customer,) = sql.query(f"{regulars} ORDER BY customer_id OFFSET {777 * seed % count} LIMIT 1").rows[0]
    return [
        IndexedQuery("query 1", f"SELECT id, email, full_name FROM users WHERE lower(email) = '{email}'",
                     "users", MAX_PAGES),
        IndexedQuery("query 2", "SELECT id, created_at, total FROM orders "
                     f"WHERE customer_id = {customer} AND created_at >= '2024-07-01' AND created_at < '2025-07-01' "
                     "ORDER BY created_at", "orders", MAX_PAGES, ordered=True),
        IndexedQuery("query 3", "SELECT id, customer_id, created_at FROM orders WHERE status = 'pending' "
                     "ORDER BY created_at LIMIT 20", "orders", MAX_PAGES, ordered=True),
    ]


def _check(sql, variant, seed, task):
    """One indexed copy per variant, shared by the three tasks (index builds take a moment)."""
    todo = queries(sql, seed)
    if variant not in _copies:
        _copies[variant] = IndexedCopy(sql, "indexes.sql", todo)
    _copies[variant].check(todo[task - 1])


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_email_lookup_uses_an_index(sql, variant, seed):
    """query 1 (lower(email) = …) reads users through an index"""
    _check(sql, variant, seed, 1)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_customer_range_uses_a_fitting_index(sql, variant, seed):
    """query 2 (one customer, a date range, sorted) reads orders through a fitting index"""
    _check(sql, variant, seed, 2)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_oldest_pending_uses_a_fitting_index(sql, variant, seed):
    """query 3 (oldest 20 pending orders) reads orders through a fitting index"""
    _check(sql, variant, seed, 3)
