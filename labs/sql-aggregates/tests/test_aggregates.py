"""Public checks for sql-aggregates: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_customers_per_city(sql):
    """customers per city, the NULL-city group counted"""
    sql.check("queries/01_customers_per_city.sql")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_order_status_summary(sql):
    """orders, guest orders and distinct customers per status, by status"""
    sql.check("queries/02_order_status_summary.sql", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_category_revenue(sql):
    """units, revenue and average units per line of completed orders, per category"""
    sql.check("queries/03_category_revenue.sql", round_digits=2)


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_frequent_customers(sql):
    """customers with at least 6 orders of any status, in the required order"""
    sql.check("queries/04_frequent_customers.sql", ordered=True)
