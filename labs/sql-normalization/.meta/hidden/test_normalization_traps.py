"""Hidden checks: rows added to the flat table that repeat a customer's name and a product's name,
with NULL cities and an apostrophe, loaded and joined back."""

import pytest

from grader.checks.normal_form import LoadedCopy

TRAPS = """
-- a customer with the name of an existing one and no city, buying two new products named like an existing one
INSERT INTO orders_flat
SELECT 990001, TIMESTAMP '2025-03-03 10:30', 'namesake.' || f.customer_email, f.customer_name, NULL,
       sku.code, f.product_name, 7.25, sku.quantity
FROM (SELECT * FROM orders_flat ORDER BY order_id, product_sku LIMIT 1) AS f,
     (VALUES ('TRAP-1', 2), ('TRAP-2', 1)) AS sku (code, quantity);
-- a second customer without a city, with an apostrophe in the name, buying one of them
INSERT INTO orders_flat
SELECT 990002, TIMESTAMP '2025-03-04 11:00', 'noor.oneill@example.test', 'Noor O''Neill', NULL,
       product_sku, product_name, unit_price, 4
FROM orders_flat WHERE product_sku = 'TRAP-2';
"""
JOIN_BACK = """
SELECT o.order_id, o.ordered_at, c.email AS customer_email, c.name AS customer_name,
       c.city AS customer_city, p.sku AS product_sku, p.name AS product_name, p.unit_price, l.quantity
FROM order_lines AS l
JOIN orders    AS o ON o.order_id = l.order_id
JOIN customers AS c ON c.customer_id = o.customer_id
JOIN products  AS p ON p.sku = l.sku
"""


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_namesakes_without_city(sql):
    """a namesake customer without a city and a namesake product survive the load"""
    copy = LoadedCopy(sql, ["schema.sql", "load.sql"], {"flat": "SELECT * FROM orders_flat"}, setup=TRAPS)
    copy.same_as_fact("flat", JOIN_BACK, "with namesakes and NULL cities added, the join back")
