"""Public checks for sql-select-filter: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_customers_without_city(sql):
    """customers whose city is NULL, by customer_id"""
    sql.check("queries/01_customers_without_city.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_customers_by_city(sql):
    """customers by city Z to A with no-city customers last, then name, then id"""
    sql.check("queries/02_customers_by_city.sql", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_latest_orders(sql):
    """the 10 latest orders, ties broken by order_id"""
    sql.check("queries/03_latest_orders.sql", ordered=True)


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_name_search(sql):
    """names containing 'ra' in any letter case"""
    sql.check("queries/04_name_search.sql", ordered=True)


@pytest.mark.task(5)
@pytest.mark.points(2)
def test_march_orders(sql):
    """orders that are not cancelled, from 1 March 00:00 to the end of 31 March"""
    sql.check("queries/05_march_orders.sql", ordered=True)
