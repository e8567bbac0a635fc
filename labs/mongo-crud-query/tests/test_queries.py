"""Public checks for mongo-crud-query: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_cheap_kitchen_garden(mongo):
    """cheap kitchen and garden products in stock, by price"""
    mongo.check_query("queries/01_cheap_kitchen_garden.json", "products", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_verified_five_star(mongo):
    """products with one rating that is both a 5 and verified"""
    mongo.check_query("queries/02_verified_five_star.json", "products")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_unknown_city(mongo):
    """customers whose city is null or missing"""
    mongo.check_query("queries/03_unknown_city.json", "customers")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_sale_items(mongo):
    """the three most expensive sale items that are not discontinued"""
    mongo.check_query("queries/04_sale_items.json", "products", ordered=True)
