"""Alternative: redis-py's own Lock (SET NX PX with a token, released by a script) around the load,
entries jittered in milliseconds, and the cache checked again once the lock is held."""

import json
import random

from redis.exceptions import LockError


def _cache(r, product_id, product):
    if product is None:
        r.set(f"product:{product_id}", "null", px=random.randint(30_000, 40_000))
    else:
        r.set(f"product:{product_id}", json.dumps(product), px=random.randint(300_000, 360_000))


def _cached(r, product_id):
    text = r.get(f"product:{product_id}")
    return (True, json.loads(text)) if text is not None else (False, None)


def get_product(r, db, product_id):
    hit, value = _cached(r, product_id)
    if hit:
        return value
    lock = r.lock(f"lock:product:{product_id}", timeout=3, sleep=0.005, blocking_timeout=2.5)
    try:
        with lock:
            hit, value = _cached(r, product_id)
            if hit:
                return value
            return _read_and_cache(r, db, product_id)
    except LockError:  # waited too long: read the database after all
        return _read_and_cache(r, db, product_id)


def _read_and_cache(r, db, product_id):
    with db.cursor() as cursor:
        cursor.execute("SELECT id, name, price_cents FROM shop.product_by_id(%s)", (product_id,))
        row = cursor.fetchone()
    product = dict(zip(("id", "name", "price_cents"), row)) if row else None
    _cache(r, product_id, product)
    return product


def update_price(r, db, product_id, price_cents):
    with db.cursor() as cursor:
        cursor.execute("SELECT shop.set_price(%s, %s)", (product_id, price_cents))
    r.delete(f"product:{product_id}")
