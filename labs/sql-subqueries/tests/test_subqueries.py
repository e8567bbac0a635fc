"""Public checks for sql-subqueries: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_above_average_products(sql):
    """products above the average price, with that average, in the required order"""
    sql.check("queries/01_above_average_products.sql", ordered=True, round_digits=2)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_priciest_in_category(sql):
    """the most expensive product(s) of each category"""
    sql.check("queries/02_priciest_in_category.sql")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_customers_with_big_order(sql):
    """customers with a completed order above 150, each once"""
    sql.check("queries/03_customers_with_big_order.sql")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_customers_without_completed_orders(sql):
    """customers with no completed order, despite guest orders"""
    sql.check("queries/04_customers_without_completed_orders.sql", ordered=True)
