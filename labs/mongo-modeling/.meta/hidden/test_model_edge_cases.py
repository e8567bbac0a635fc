"""Hidden checks: documents added to the hidden data that only a careful pipeline handles."""

import datetime as dt

import pytest


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_ties_and_many_orders(mongo):
    """a customer with five orders, two at the same time, gets the right three newest"""
    fresh = mongo.fresh()
    fresh.db.customers.insert_one({"_id": 990001, "name": "Nova Quist", "email": "n@example.test", "tier": "basic",
                                   "joined": dt.datetime(2023, 3, 1), "tags": []})
    times = [dt.datetime(2024, 3, 1), dt.datetime(2024, 9, 1), dt.datetime(2024, 9, 1), dt.datetime(2024, 1, 1),
             dt.datetime(2024, 5, 1)]
    fresh.db.orders.insert_many([
        {"_id": 990010 + n, "customer_id": 990001, "ordered_at": when, "status": "completed", "items": [],
         "shipping": {"city": "Oslo", "express": False}}
        for n, when in enumerate(times)
    ])
    fresh.check_pipeline("pipelines/02_customer_recent_orders.json", "orders")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_product_without_ratings(mongo):
    """a product with no ratings is listed with count 0 and average null"""
    fresh = mongo.fresh()
    fresh.db.products.insert_one({"_id": 990020, "sku": "TOY-990020", "name": "Top", "category": "toys",
                                  "price": 4.0, "stock": 3, "tags": [], "ratings": [], "sizes": []})
    fresh.check_pipeline("pipelines/03_product_rating_summary.json", "products", digits=2)
