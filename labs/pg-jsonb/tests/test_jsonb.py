"""Public checks for pg-jsonb: query results compared with the reference's, query plans read with
EXPLAIN (grader/checks/explain.py), and the schema change graded by statements that must work or fail."""

import pytest

from grader.checks.explain import IndexedCopy, IndexedQuery

MAX_PAGES = 60
CONTAINS = """SELECT id FROM products WHERE attrs @> '{"brand": "Kestrel", "tags": ["eco"]}'"""
HAS_KEY = "SELECT id FROM products WHERE attrs ? 'discontinued'"
PRODUCT = "INSERT INTO products (id, name, attrs) VALUES (-1, 'Probe', '{}'::jsonb || %s::jsonb)"


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_low_stock(sql):
    """01_low_stock.sql: Kestrel products with stock below 10, by stock then id"""
    sql.check("queries/01_low_stock.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_green_eco(sql):
    """02_green_eco.sql: green Kestrel products tagged eco, by id"""
    sql.check("queries/02_green_eco.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_containment_and_key_queries_use_the_index(sql):
    """indexes.sql: containment (@>) and key existence (?) read products through an index"""
    queries = [IndexedQuery("the containment query", CONTAINS, "products", MAX_PAGES),
               IndexedQuery("the key-existence query", HAS_KEY, "products", MAX_PAGES)]
    copy = IndexedCopy(sql, "indexes.sql", queries)
    for query in queries:
        copy.check(query)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_sold_out_sizes(sql):
    """03_sold_out_sizes.sql: one row per variant with stock 0"""
    sql.check("queries/03_sold_out_sizes.sql", ordered=True)


def _insert(price_json):
    return PRODUCT.replace("%s", "'" + price_json + "'")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_brand_is_generated_from_the_document(sql):
    """schema.sql: brand is a stored generated column that always equals attrs->>'brand'"""
    db = sql.applied("schema.sql")
    kind = db.query("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'products'::regclass "
                    "AND attname = 'brand' AND NOT attisdropped").rows
    assert kind == [("s",)], "products.brand must be a column GENERATED ALWAYS AS (attrs ->> 'brand') STORED"
    got = db.expect_ok("SELECT count(*) FROM products WHERE brand IS DISTINCT FROM attrs ->> 'brand'",
                       explain="products.brand must be readable")
    assert got.rows == [(0,)], "brand must equal attrs ->> 'brand' on every row (text, not jsonb)"
    got = db.expect_ok(_insert('{"brand": "Wren", "price": 5}') + " RETURNING brand",
                       explain="a new product with a price must be accepted")
    assert got.rows == [("Wren",)], "a new product's brand must come from its document"


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_price_must_be_a_non_negative_number(sql):
    """schema.sql: a product without a price, or with a negative one, is refused; 0 is fine"""
    db = sql.applied("schema.sql")
    db.expect_error(_insert('{"brand": "Wren"}'), "23514",
                    explain="a product without a price must be refused: a CHECK whose expression is NULL passes")
    db.expect_error(_insert('{"brand": "Wren", "price": -1}'), "23514",
                    explain="a negative price must be refused")
    db.expect_ok(_insert('{"brand": "Wren", "price": 0}'), explain="a price of 0 is allowed")
