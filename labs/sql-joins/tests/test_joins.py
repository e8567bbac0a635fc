"""Public checks for sql-joins: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_orders_with_customers(sql):
    """orders with their customer's name, by order_id"""
    sql.check("queries/01_orders_with_customers.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_orders_per_customer(sql):
    """every customer with their order count, zeros included"""
    sql.check("queries/02_orders_per_customer.sql")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_customers_without_orders(sql):
    """customers who never ordered"""
    sql.check("queries/03_customers_without_orders.sql")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_product_sales(sql):
    """units sold per product in completed orders, zeros included, in the required order"""
    sql.check("queries/04_product_sales.sql", ordered=True)
