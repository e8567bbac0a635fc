"""Hidden checks: documents added to the hidden data that only a precise filter handles."""

import datetime as dt

import pytest


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_boundaries_are_excluded(mongo):
    """a price of exactly 20 and a stock of exactly 0 are left out"""
    fresh = mongo.fresh()
    fresh.db.products.insert_many([
        {"_id": 990001, "sku": "KIT-990001", "name": "Sieve", "category": "kitchen", "price": 20.0, "stock": 4,
         "tags": [], "ratings": [], "sizes": []},
        {"_id": 990002, "sku": "GAR-990002", "name": "Twine", "category": "garden", "price": 2.5, "stock": 0,
         "tags": [], "ratings": [], "sizes": []},
        {"_id": 990003, "sku": "GAR-990003", "name": "Rake", "category": "garden", "price": 19.99, "stock": 1,
         "tags": [], "ratings": [], "sizes": []},
    ])
    fresh.check_query("queries/01_cheap_kitchen_garden.json", "products", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_split_conditions_do_not_count(mongo):
    """a product whose only 5 is unverified and whose only verified rating is a 4 is left out"""
    fresh = mongo.fresh()
    fresh.db.products.delete_many({})
    fresh.db.products.insert_many([
        {"_id": 990004, "name": "Lantern", "category": "garden", "price": 30.0, "stock": 2, "tags": [],
         "ratings": [{"score": 5, "verified": False}, {"score": 4, "verified": True}], "sizes": []},
        {"_id": 990005, "name": "Candle", "category": "garden", "price": 9.0, "stock": 2, "tags": [],
         "ratings": [{"score": 2, "verified": True}, {"score": 5, "verified": True}], "sizes": []},
    ])
    fresh.check_query("queries/02_verified_five_star.json", "products")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_null_and_missing_city(mongo):
    """a customer with city null and one without a city field are both found"""
    fresh = mongo.fresh()
    fresh.db.customers.insert_many([
        {"_id": 990006, "name": "Nova Quist", "email": "n@example.test", "tier": "basic",
         "joined": dt.datetime(2024, 1, 2), "tags": [], "city": None},
        {"_id": 990007, "name": "Omar Quist", "email": "o@example.test", "tier": "gold",
         "joined": dt.datetime(2024, 1, 3), "tags": []},
    ])
    fresh.check_query("queries/03_unknown_city.json", "customers")
