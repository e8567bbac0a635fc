"""Public checks for mongo-aggregation: each runs your pipeline and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_orders_by_status(mongo):
    """orders and units per status, by status"""
    mongo.check_pipeline("pipelines/01_orders_by_status.json", "orders", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_top_products(mongo):
    """the five products with the most revenue in completed orders"""
    mongo.check_pipeline("pipelines/02_top_products.json", "orders", ordered=True, digits=2)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_customer_order_counts(mongo):
    """every customer with their number of orders, zeros included"""
    mongo.check_pipeline("pipelines/03_customer_order_counts.json", "customers", ordered=True)


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_monthly_revenue(mongo):
    """completed orders and revenue per month"""
    mongo.check_pipeline("pipelines/04_monthly_revenue.json", "orders", ordered=True, digits=2)
