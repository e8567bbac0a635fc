"""Public checks for mongo-modeling: each runs your pipeline and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_orders_with_customer(mongo):
    """every order with its customer's name and city"""
    mongo.check_pipeline("pipelines/01_orders_with_customer.json", "orders")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_customer_recent_orders(mongo):
    """customers with their order count and three most recent orders"""
    mongo.check_pipeline("pipelines/02_customer_recent_orders.json", "orders")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_product_rating_summary(mongo):
    """every product with its rating count and average"""
    mongo.check_pipeline("pipelines/03_product_rating_summary.json", "products", digits=2)


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_monthly_buckets(mongo):
    """orders bucketed per customer and month"""
    mongo.check_pipeline("pipelines/04_monthly_buckets.json", "orders")
