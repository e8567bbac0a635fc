"""Public checks for mongo-update: each write runs beside the reference on fresh copies; collections compared."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_reprice_kettle(mongo):
    """the kettle is repriced and tagged, its other fields kept"""
    mongo.check_write("updates/01_reprice_kettle.json", "products")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_discontinue_sold_out(mongo):
    """every sold-out product is marked discontinued"""
    mongo.check_write("updates/02_discontinue_sold_out.json", "products")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_tag_gold_customers(mongo):
    """gold customers carry the vip tag exactly once"""
    mongo.check_write("updates/03_tag_gold_customers.json", "customers")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_upsert_customer(mongo):
    """the customer is created when missing"""
    mongo.check_write("updates/04_upsert_customer.json", "customers")


@pytest.mark.task(5)
@pytest.mark.points(2)
def test_cancel_stale_orders(mongo):
    """pending orders before July 2024 are cancelled and lose their shipping"""
    mongo.check_write("updates/05_cancel_stale_orders.json", "orders")
