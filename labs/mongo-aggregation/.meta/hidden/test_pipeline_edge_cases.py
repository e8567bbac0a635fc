"""Hidden checks: documents added to the hidden data to expose the classic pipeline mistakes."""

import datetime as dt

import pytest


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_status_with_only_an_empty_order(mongo):
    """a status whose only order has no items still counts that order, with 0 units"""
    fresh = mongo.fresh()
    fresh.db.orders.insert_one({"_id": 990001, "customer_id": 990001, "ordered_at": dt.datetime(2024, 5, 5, 10),
                                "status": "returned", "items": [], "shipping": {"city": "Oslo", "express": False}})
    fresh.check_pipeline("pipelines/01_orders_by_status.json", "orders", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_new_customer_without_orders(mongo):
    """a customer who just signed up appears with 0 orders"""
    fresh = mongo.fresh()
    fresh.db.customers.insert_one({"_id": 990002, "name": "Nova Quist", "email": "nova.q@example.test",
                                   "tier": "basic", "joined": dt.datetime(2024, 12, 30), "tags": []})
    fresh.check_pipeline("pipelines/03_customer_order_counts.json", "customers", ordered=True)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_month_with_only_an_empty_completed_order(mongo):
    """a month whose only completed order has no items shows 1 order and 0 revenue"""
    fresh = mongo.fresh()
    fresh.db.orders.insert_one({"_id": 990003, "customer_id": 990003, "ordered_at": dt.datetime(2025, 2, 1, 12),
                                "status": "completed", "items": [], "shipping": {"city": "Graz", "express": True}})
    fresh.check_pipeline("pipelines/04_monthly_revenue.json", "orders", ordered=True, digits=2)
