"""Hidden checks for redis-lua-atomic: the edges where a plausible script goes wrong, on the hidden run.

Values of the hidden data are not quoted in feedback.
"""

import random

import pytest

from grader.checks.problems import Mismatch


def key_for(seed, label):
    return f"{label}:{random.Random(f'{seed}:{label}').getrandbits(40):010x}"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_an_empty_string_is_not_an_absent_key(submission, redis_db, seed):
    """expected '' matches a key holding '', never a missing key; expected None never matches ''"""
    key = key_for(seed, "empty")
    steps = [("", "x", False), (None, "", True), (None, "y", False), ("", "z", True)]
    for expected, new, should in steps:
        if submission.call("compare_and_set", key, expected, new, inject="redis") is not should:
            raise Mismatch("compare_and_set confused an empty string with a missing key: None means 'absent', "
                           "'' is a value (GET returns false in Lua for a missing key)")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_values_with_spaces_quotes_and_accents(submission, redis_db, seed):
    """values with spaces, quotes and accents are compared and stored exactly"""
    key = key_for(seed, "text")
    values = ["a b", "O'Brien \"quoted\"", "café ☕"]
    previous = None
    for value in values:
        if not submission.call("compare_and_set", key, previous, value, inject="redis") or redis_db.get(key) != value:
            raise Mismatch("compare_and_set did not compare or store a value with spaces, quotes or accents exactly")
        previous = value


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_the_last_units_and_an_empty_stock(submission, redis_db, seed):
    """taking the whole stock leaves 0; a stock of 0 refuses; a refused call keeps the key as it was"""
    item = key_for(seed, "sku")
    whole = random.Random(f"{seed}:whole").randint(20, 40)
    redis_db.set(f"stock:{item}", whole)
    if submission.call("reserve", item, whole, inject="redis") != 0:
        raise Mismatch("reserve of exactly the whole stock should succeed and return 0")
    if submission.call("reserve", item, 1, inject="redis") != -1 or redis_db.get(f"stock:{item}") != "0":
        raise Mismatch("reserve from a stock of 0 should return -1 and leave the stock at 0")
