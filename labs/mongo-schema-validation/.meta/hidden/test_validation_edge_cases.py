"""Hidden checks: documents that sit on the edges of the rules."""

import datetime as dt

import pytest
from pymongo.errors import WriteError

from grader.checks.problems import Mismatch


@pytest.mark.task(1)
@pytest.mark.points(1)
@pytest.mark.requires("schema_validation")
def test_edge_values_are_accepted(mongo):
    """a free product, zero stock, no tags and extra fields are all valid"""
    fresh = mongo.fresh()
    fresh.create_validated("validators/products.json", "products_validated")
    edge = {"name": "Free Sample", "category": "books", "price": 0, "stock": 0, "launched": dt.datetime(2024, 1, 1)}
    try:
        fresh.db.products_validated.insert_one(edge)
    except WriteError:
        raise Mismatch("a valid product with price 0, stock 0, no tags and an extra field was rejected") from None


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_missing_stock_and_null_category(mongo):
    """a legacy document without stock and one with a null category are found"""
    fresh = mongo.fresh()
    fresh.db.legacy_products.insert_many([
        {"_id": "L-990001", "name": "Ghost", "category": "toys", "price": 3.0},
        {"_id": "L-990002", "name": "Blank", "category": None, "price": 3.0, "stock": 1},
        {"_id": "L-990003", "name": "Fine", "category": "toys", "price": 3.0, "stock": 1, "tags": []},
    ])
    fresh.check_query("queries/02_invalid_legacy.json", "legacy_products")
