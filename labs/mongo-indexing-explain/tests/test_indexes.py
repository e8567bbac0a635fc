"""Public checks for mongo-indexing-explain: your indexes on a fresh copy, then the server's own explain()."""

import pytest

from grader.checks.problems import Mismatch

ORDERS_BY_CUSTOMER = "indexes/02_orders_by_customer.json"
COVERED = "indexes/03_products_covered.json"


def busiest_customer(checker):
    """The customer with the most orders (ties: smallest id), so the query returns several documents."""
    top = list(checker.db.orders.aggregate([{"$group": {"_id": "$customer_id", "n": {"$sum": 1}}},
                                            {"$sort": {"n": -1, "_id": 1}}, {"$limit": 1}]))
    return top[0]["_id"]


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_email_index_is_unique(mongo):
    """a unique index on email exists"""
    fresh = mongo.fresh()
    fresh.create_indexes("indexes/01_customers_email.json", "customers")
    indexes = fresh.db.customers.index_information().values()
    email = [i for i in indexes if list(i["key"]) == [("email", 1)]]
    assert email, 'no index with keys exactly {"email": 1} on customers'
    assert any(i.get("unique") for i in email), 'the email index is not unique: add "options": {"unique": true}'


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_duplicate_email_is_refused(mongo):
    """a second customer with a taken email is refused"""
    from pymongo.errors import DuplicateKeyError

    fresh = mongo.fresh()
    fresh.create_indexes("indexes/01_customers_email.json", "customers")
    taken = fresh.db.customers.find_one({}, sort=[("_id", 1)])["email"]
    try:
        fresh.db.customers.insert_one({"_id": 990001, "name": "Copy Cat", "email": taken, "tier": "basic", "tags": []})
    except DuplicateKeyError:
        return
    raise Mismatch("a customer with an email that is already taken was inserted: the index does not enforce uniqueness")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_index_starts_with_customer(mongo):
    """an index on orders starts with customer_id"""
    fresh = mongo.fresh()
    fresh.create_indexes(ORDERS_BY_CUSTOMER, "orders")
    firsts = [next(iter(i["key"]))[0] for i in fresh.db.orders.index_information().values()]
    assert "customer_id" in firsts, "no index on orders starts with customer_id (the equality field)"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.requires("explain")
def test_history_uses_index_without_sort(mongo):
    """the order history query uses the index for both filter and sort"""
    fresh = mongo.fresh()
    fresh.create_indexes(ORDERS_BY_CUSTOMER, "orders")
    plan = fresh.explain("orders", {"filter": {"customer_id": busiest_customer(fresh)},
                                    "sort": [("ordered_at", -1)]})
    assert "COLLSCAN" not in plan.stages, f"the query scans the whole collection: {plan.describe()}"
    assert "IXSCAN" in plan.stages, f"the query uses no index: {plan.describe()}"
    assert "SORT" not in plan.stages, (
        f"MongoDB sorts in memory (a SORT stage): the index order does not serve the sort. {plan.describe()}")
    assert plan.docs_examined <= plan.returned, f"the query reads documents it does not return: {plan.describe()}"


@pytest.mark.task(3)
@pytest.mark.points(2)
@pytest.mark.requires("explain")
def test_price_list_is_covered(mongo):
    """the price list is answered from the index alone"""
    fresh = mongo.fresh()
    fresh.create_indexes(COVERED, "products")
    plan = fresh.explain("products", {"filter": {"category": "kitchen"},
                                      "projection": {"_id": 0, "category": 1, "price": 1}})
    assert "IXSCAN" in plan.stages, f"the query uses no index: {plan.describe()}"
    assert "FETCH" not in plan.stages and plan.docs_examined == 0, (
        f"the query reads documents (FETCH): the index does not hold every returned field. {plan.describe()}")
