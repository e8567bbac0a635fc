"""Atomic operations with Lua scripts: write each function as its task in README.md asks.

Every function gets a redis-py client `r` (decode_responses=True). Run `grader check redis-lua-atomic`
to see your score.
"""


# 1. and 3. Compare-and-set
def compare_and_set(r, key, expected, new):
    raise NotImplementedError("task 1 is not done yet: write compare_and_set()")


# 2.-4. An inventory that never goes below zero, with a cached script
def reserve(r, item, quantity):
    raise NotImplementedError("task 2 is not done yet: write reserve()")
