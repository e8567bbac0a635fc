"""Hidden checks: starting states that only a precise write handles."""

import datetime as dt

import pytest


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_kettle_already_on_sale(mongo):
    """a kettle that is already tagged sale keeps one sale tag"""

    def already_on_sale(checker):
        checker.db.products.update_one({"name": "Kettle"}, {"$set": {"tags": ["sale", "gift"]}})

    mongo.check_write("updates/01_reprice_kettle.json", "products", setup=already_on_sale)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_existing_customer_only_renamed(mongo):
    """when the email exists, only the name changes"""

    def existing(checker):
        checker.db.customers.insert_one({"_id": 990001, "name": "Old Name", "email": "new.person@example.test",
                                         "tier": "gold", "joined": dt.datetime(2023, 5, 1), "tags": ["b2b"]})

    mongo.check_write("updates/04_upsert_customer.json", "customers", setup=existing)


@pytest.mark.task(5)
@pytest.mark.points(1)
def test_order_on_the_boundary_stays(mongo):
    """an order placed exactly at 2024-07-01 00:00 is not stale"""

    def boundary(checker):
        checker.db.orders.insert_one({"_id": 990002, "customer_id": 1, "ordered_at": dt.datetime(2024, 7, 1),
                                      "status": "pending", "items": [], "shipping": {"city": "Oslo", "express": False}})

    mongo.check_write("updates/05_cancel_stale_orders.json", "orders", setup=boundary)
