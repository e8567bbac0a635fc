"""Cache-aside in front of PostgreSQL: write each function as its task in README.md asks.

Each function gets `r`, a redis-py client (decode_responses=True), and `db`, a psycopg connection
in autocommit mode. Run `grader check redis-cache-aside` to see your score.
"""

import json  # noqa: F401 - you will need it for the cache entries
import random  # noqa: F401 - and this for the jitter


# 1.-3. and 5. Cache-aside reads, expiry with jitter, negative caching, stampede protection
def get_product(r, db, product_id):
    raise NotImplementedError("tasks 1-3 and 5 are not done yet: write get_product()")


# 4. Invalidation on write
def update_price(r, db, product_id, price_cents):
    raise NotImplementedError("task 4 is not done yet: write update_price()")
