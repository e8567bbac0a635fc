"""Hidden checks: containment with other values through the index, and prices that are not numbers."""

import pytest

from grader.checks.explain import IndexedCopy, IndexedQuery

MAX_PAGES = 60
OTHER = """SELECT id FROM products WHERE attrs @> '{"brand": "Kestrel", "color": "red"}'"""
PRODUCT = "INSERT INTO products (id, name, attrs) VALUES (-1, 'Probe', '{}'::jsonb || '%s'::jsonb)"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_other_containment_uses_the_index(sql):
    """a containment query with other keys and values reads products through an index"""
    query = IndexedQuery("a containment query with other values", OTHER, "products", MAX_PAGES)
    IndexedCopy(sql, "indexes.sql", [query]).check(query)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_prices_that_are_not_numbers_are_refused(sql):
    """a price given as a string or as JSON null is refused, a decimal price accepted"""
    db = sql.applied("schema.sql")
    for document in ('{"price": "12.50"}', '{"price": null}', '{"price": [1]}'):
        db.expect_error(PRODUCT % document, "23514", explain="a price must be a JSON number, not a string or null")
    db.expect_ok(PRODUCT % '{"price": 12.5}', explain="a decimal price is allowed")
