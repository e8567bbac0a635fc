"""Public checks for sql-normalization: your schema.sql and load.sql run on a fresh copy, then the
catalog is read and your tables are queried (helpers: grader/checks/normal_form.py)."""

import pytest

from grader.checks.normal_form import (
    Catalog,
    LoadedCopy,
    TableSpec,
    foreign_key_problems,
    key_problems,
    refused_with,
    table_problems,
)

INTEGER = ("integer", "bigint")
TEXT = ("text", "character varying")
TABLES = [
    TableSpec("customers", ("customer_id", "email", "name", "city"), ("customer_id",),
              not_null=("email", "name"), unique=(("email",),), generated=("customer_id",),
              types={"customer_id": INTEGER, "email": TEXT, "name": TEXT, "city": TEXT}),
    TableSpec("products", ("sku", "name", "unit_price"), ("sku",), not_null=("name", "unit_price"),
              types={"sku": TEXT, "name": TEXT, "unit_price": ("numeric",)}),  # exact: numeric, with a scale or not
    TableSpec("orders", ("order_id", "customer_id", "ordered_at"), ("order_id",),
              not_null=("customer_id", "ordered_at"),
              references={("customer_id",): ("customers", ("customer_id",))},
              types={"order_id": INTEGER, "customer_id": INTEGER, "ordered_at": ("timestamp without time zone",)}),
    TableSpec("order_lines", ("order_id", "sku", "quantity"), ("order_id", "sku"), not_null=("quantity",),
              references={("order_id",): ("orders", ("order_id",)), ("sku",): ("products", ("sku",))},
              types={"order_id": INTEGER, "sku": TEXT, "quantity": INTEGER}),
]
FACTS = {
    "customers": "SELECT DISTINCT customer_email AS email FROM orders_flat",
    "products": "SELECT DISTINCT product_sku AS sku FROM orders_flat",
    "orders": "SELECT DISTINCT order_id FROM orders_flat",
    "order_lines": "SELECT order_id, product_sku AS sku FROM orders_flat",
    "flat": "SELECT * FROM orders_flat",
}
KEYS_LOADED = {
    "customers": "SELECT email FROM customers",
    "products": "SELECT sku FROM products",
    "orders": "SELECT order_id FROM orders",
    "order_lines": "SELECT order_id, sku FROM order_lines",
}
JOIN_BACK = """
SELECT o.order_id, o.ordered_at, c.email AS customer_email, c.name AS customer_name,
       c.city AS customer_city, p.sku AS product_sku, p.name AS product_name, p.unit_price,
       l.quantity
FROM order_lines AS l
JOIN orders    AS o ON o.order_id = l.order_id
JOIN customers AS c ON c.customer_id = o.customer_id
JOIN products  AS p ON p.sku = l.sku
"""
MUST_FAIL = [
    ("a second customer with an existing email",
     "INSERT INTO customers (email, name, city) SELECT email, 'Someone Else', NULL FROM customers LIMIT 1", "23505"),
    ("a customer without an email", "INSERT INTO customers (email, name, city) VALUES (NULL, 'No Mail', NULL)",
     "23502"),
    ("a second product with an existing sku",
     "INSERT INTO products (sku, name, unit_price) SELECT sku, 'Copy', 1 FROM products LIMIT 1", "23505"),
    ("an order for a customer that does not exist",
     "INSERT INTO orders (order_id, customer_id, ordered_at) SELECT max(o.order_id) + 1, "
     "(SELECT max(customer_id) + 1000 FROM customers), TIMESTAMP '2025-01-01' FROM orders AS o", "23503"),
    ("an order line for a sku that is not a product",
     "INSERT INTO order_lines (order_id, sku, quantity) SELECT order_id, 'NO-SUCH-SKU', 1 FROM orders LIMIT 1",
     "23503"),
    ("a second line for the same order and sku",
     "INSERT INTO order_lines (order_id, sku, quantity) SELECT order_id, sku, 9 FROM order_lines LIMIT 1", "23505"),
]
_copies: dict[tuple[str, str], LoadedCopy] = {}


def created(sql, variant):
    """A copy with only schema.sql run (task 1 does not depend on the load), one per variant."""
    if (variant, "schema") not in _copies:
        _copies[variant, "schema"] = LoadedCopy(sql, ["schema.sql"], {})
    return _copies[variant, "schema"]


def loaded(sql, variant):
    """A copy with schema.sql then load.sql run, one per variant, shared by the read-only checks."""
    if (variant, "loaded") not in _copies:
        _copies[variant, "loaded"] = LoadedCopy(sql, ["schema.sql", "load.sql"], FACTS)
    return _copies[variant, "loaded"]


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_tables_and_columns(sql, variant):
    """the four tables exist with exactly the required columns, of the required types"""
    catalog = Catalog(created(sql, variant).checker)
    problems = [p for spec in TABLES for p in table_problems(catalog, spec)]
    assert not problems, "; ".join(problems)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_keys_and_not_null(sql, variant):
    """primary keys, UNIQUE (email), NOT NULL and a generated customer_id"""
    catalog = Catalog(created(sql, variant).checker)
    problems = [p for spec in TABLES for p in key_problems(catalog, spec)]
    assert not problems, "; ".join(problems)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_foreign_keys(sql, variant):
    """orders references customers; order_lines references orders and products"""
    catalog = Catalog(created(sql, variant).checker)
    problems = [p for spec in TABLES for p in foreign_key_problems(catalog, spec)]
    assert not problems, "; ".join(problems)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_each_fact_once(sql, variant):
    """one customer per email, one product per sku, one order per order_id, one line per flat row"""
    copy = loaded(sql, variant)
    for table, query in KEYS_LOADED.items():
        copy.same_as_fact(table, query, f"the keys in {table} (expected one row per distinct key in orders_flat)")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_join_back_gives_the_flat_table(sql, variant):
    """joining the four tables back reproduces orders_flat exactly"""
    loaded(sql, variant).same_as_fact("flat", JOIN_BACK, "the join of your tables compared with orders_flat")


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_keys_refuse_bad_rows(sql):
    """duplicates, a missing email and dangling references are refused with the right SQLSTATE"""
    copy = LoadedCopy(sql, ["schema.sql", "load.sql"], {})
    problems = []
    for what, statement, sqlstate in MUST_FAIL:
        outcome = refused_with(copy.checker, statement, sqlstate)
        if outcome is not None:
            problems.append(f"{what} should fail with SQLSTATE {sqlstate} but {outcome}")
    assert not problems, "; ".join(problems)
