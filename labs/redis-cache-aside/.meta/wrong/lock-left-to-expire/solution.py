"""Reference solution for redis-cache-aside: cache-aside with jitter, negative entries and a load lock."""

import json
import random
import secrets
import time

FOUND_TTL_S, FOUND_JITTER_S = 300, 60
MISSING_TTL_S, MISSING_JITTER_S = 30, 10
LOCK_MS = 3000
WAIT_S, POLL_S = 2.0, 0.005


def _key(product_id):
    return f"product:{product_id}"


def _load(r, db, product_id):
    """Read the row and cache the answer (the product, or null), each with its own jittered lifetime."""
    row = db.execute("SELECT id, name, price_cents FROM shop.product_by_id(%s)", (product_id,)).fetchone()
    product = None if row is None else {"id": row[0], "name": row[1], "price_cents": row[2]}
    ttl = (FOUND_TTL_S + random.randint(0, FOUND_JITTER_S) if product is not None
           else MISSING_TTL_S + random.randint(0, MISSING_JITTER_S))
    r.set(_key(product_id), json.dumps(product), ex=ttl)
    return product


def get_product(r, db, product_id):
    cached = r.get(_key(product_id))
    if cached is not None:
        return json.loads(cached)  # a product, or None from a negative entry
    lock, token = f"lock:product:{product_id}", secrets.token_hex(8)
    if r.set(lock, token, nx=True, px=LOCK_MS):
        try:
            cached = r.get(_key(product_id))  # filled by the previous lock holder?
            return json.loads(cached) if cached is not None else _load(r, db, product_id)
        finally:
            pass  # wrong: the lock is left to expire by itself
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        cached = r.get(_key(product_id))
        if cached is not None:
            return json.loads(cached)
    return _load(r, db, product_id)


def update_price(r, db, product_id, price_cents):
    db.execute("SELECT shop.set_price(%s, %s)", (product_id, price_cents))
    r.delete(_key(product_id))
