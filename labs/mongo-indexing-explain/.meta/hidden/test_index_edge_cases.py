"""Hidden checks: the same plans for another customer and category on the hidden data."""

import pytest


@pytest.mark.task(2)
@pytest.mark.points(1)
@pytest.mark.requires("explain")
def test_history_for_a_customer_with_one_order(mongo):
    """a customer with a single order is also served by the index, without SORT"""
    fresh = mongo.fresh()
    fresh.create_indexes("indexes/02_orders_by_customer.json", "orders")
    counts = fresh.db.orders.aggregate([{"$group": {"_id": "$customer_id", "n": {"$sum": 1}}},
                                        {"$sort": {"n": 1, "_id": 1}}, {"$limit": 1}])
    rare = next(iter(counts))["_id"]
    plan = fresh.explain("orders", {"filter": {"customer_id": rare}, "sort": [("ordered_at", -1)]})
    assert "IXSCAN" in plan.stages and "SORT" not in plan.stages, f"not served by the index: {plan.describe()}"


@pytest.mark.task(3)
@pytest.mark.points(1)
@pytest.mark.requires("explain")
def test_covered_for_another_category(mongo):
    """the price list for toys is covered too"""
    fresh = mongo.fresh()
    fresh.create_indexes("indexes/03_products_covered.json", "products")
    plan = fresh.explain("products", {"filter": {"category": "toys"},
                                      "projection": {"_id": 0, "category": 1, "price": 1}})
    assert "FETCH" not in plan.stages and plan.docs_examined == 0, f"not covered: {plan.describe()}"
