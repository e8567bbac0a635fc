"""Public checks for sql-window: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_price_rank(sql):
    """every product ranked by price, ties sharing a rank"""
    sql.check("queries/01_price_rank.sql")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_running_revenue(sql):
    """running total of completed orders, one order at a time, in the required order"""
    sql.check("queries/02_running_revenue.sql", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_previous_order(sql):
    """each order with the same customer's previous and next order"""
    sql.check("queries/03_previous_order.sql")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_top_products_per_category(sql):
    """products ranked 1 or 2 by units sold in their category, ties kept, in the required order"""
    sql.check("queries/04_top_products_per_category.sql", ordered=True)
