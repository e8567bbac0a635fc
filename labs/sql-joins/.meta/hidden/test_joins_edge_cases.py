"""Hidden checks: the hidden dataset plus rows added to expose the classic join mistakes."""

import pytest


def _add_guest_and_new_customer(checker):
    checker.query(
        "INSERT INTO customers VALUES (999001, 'Nova Quist', 'nova.q@example.test', NULL, DATE '2024-06-01');"
        "INSERT INTO orders VALUES (999001, NULL, TIMESTAMP '2024-06-02 10:00', 'completed');"
    )


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_new_customer_without_orders_beside_guest_orders(sql):
    """a new customer without orders is found although guest orders exist"""
    fresh = sql.fresh()
    _add_guest_and_new_customer(fresh)
    fresh.check("queries/03_customers_without_orders.sql")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_product_sold_only_in_cancelled_orders(sql):
    """a product whose only sales were cancelled shows 0 units"""
    fresh = sql.fresh()
    fresh.query(
        "INSERT INTO products VALUES (999002, 'Lantern', 'garden', 20.00);"
        "INSERT INTO orders VALUES (999002, NULL, TIMESTAMP '2024-07-01 09:00', 'cancelled');"
        "INSERT INTO order_items VALUES (999002, 999002, 3, 20.00);"
    )
    fresh.check("queries/04_product_sales.sql", ordered=True)
