"""Public checks for mongo-schema-validation: your validator on a new collection, then real inserts."""

import pytest
from pymongo.errors import WriteError

from grader.checks.problems import Mismatch

VALIDATOR = "validators/products.json"
BASE = {"name": "Sample Lamp", "category": "office", "price": 12.5, "stock": 3, "tags": ["new"]}
INVALID = {
    "a missing name": {k: v for k, v in BASE.items() if k != "name"},
    "a null name": {**BASE, "name": None},
    "an unknown category": {**BASE, "category": "cars"},
    "a price stored as text": {**BASE, "price": "12.50"},
    "a negative price": {**BASE, "price": -1.0},
    "a missing price": {k: v for k, v in BASE.items() if k != "price"},
    "a fractional stock": {**BASE, "stock": 2.5},
    "a negative stock": {**BASE, "stock": -2},
    "tags that are not an array": {**BASE, "tags": "new"},
    "a tag that is not a string": {**BASE, "tags": ["new", 7]},
}
ACCEPTED_INSTEAD = "was stored although it breaks the rules"


def rejected(collection, document):
    try:
        collection.insert_one(dict(document))
    except WriteError as exc:
        if exc.code == 121:  # DocumentValidationFailure
            return True
        raise
    return False


@pytest.mark.task(1)
@pytest.mark.points(2)
@pytest.mark.requires("schema_validation")
def test_valid_products_are_accepted(mongo):
    """every valid product of the dataset is accepted"""
    fresh = mongo.fresh()
    fresh.create_validated(VALIDATOR, "products_validated")
    target = fresh.db.products_validated
    for product in fresh.db.products.find({}, sort=[("_id", 1)]):
        try:
            target.insert_one(product)
        except WriteError as exc:
            shown = f" ({product['name']})" if mongo.reveal else ""
            raise Mismatch(f"a valid product{shown} was rejected: {exc.details.get('errmsg', exc)}") from None


@pytest.mark.task(1)
@pytest.mark.points(4)
@pytest.mark.requires("schema_validation")
def test_invalid_documents_are_rejected(mongo):
    """each kind of invalid product is rejected with a validation error"""
    fresh = mongo.fresh()
    fresh.create_validated(VALIDATOR, "products_validated")
    target = fresh.db.products_validated
    accepted = [what for what, document in INVALID.items() if not rejected(target, document)]
    if accepted:
        raise Mismatch(f"a document with {', with '.join(accepted)} {ACCEPTED_INSTEAD}")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_invalid_legacy_documents(mongo):
    """the legacy documents that break a rule"""
    mongo.check_query("queries/02_invalid_legacy.json", "legacy_products")
