"""Hidden checks for redis-cache-aside: the edges where a plausible cache goes wrong, on the hidden run.

The schema and the read counting are the public checks' (see tests/test_cache_aside.py); values of
the hidden data are never quoted.
"""

import json
import random

import psycopg
import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import Mismatch
from grader.isolation.postgres import LEARNER_ROLE

SCHEMA = f"""
DROP SCHEMA IF EXISTS shop CASCADE;
CREATE SCHEMA shop;
CREATE TABLE shop.products (id integer PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL);
CREATE TABLE shop.reads (n bigserial PRIMARY KEY, product_id integer NOT NULL);
CREATE FUNCTION shop.product_by_id(wanted integer) RETURNS TABLE (id integer, name text, price_cents integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = shop, pg_temp AS $$
BEGIN
    INSERT INTO shop.reads (product_id) VALUES (wanted);
    RETURN QUERY SELECT p.id, p.name, p.price_cents FROM shop.products p WHERE p.id = wanted;
END $$;
CREATE FUNCTION shop.set_price(wanted integer, cents integer) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = shop, pg_temp AS $$
    UPDATE shop.products SET price_cents = cents WHERE id = wanted
$$;
GRANT USAGE ON SCHEMA shop TO {LEARNER_ROLE};
"""
WORDS = ["lamp", "desk", "mug", "chair", "kettle", "shelf", "rug", "clock", "vase", "stool", "tray", "fan"]
ODD_NAMES = ["Café crème cup", "O'Brien's \"big\" mug", "Ζ-shelf 🌿"]
BOTH = ["redis", "postgres"]
FOUND_TTL, MISSING_TTL = (300, 360), (30, 40)


class Shop:
    """The products, and the administrator's view of how often the database was read."""

    def __init__(self, conn, rng):
        self.conn = conn
        self.rng = rng
        self.products = {}

    def add(self, count):
        base = self.rng.randint(1, 10 ** (2 + 2 * self.rng.randint(1, 2)))
        ids = [base + offset for offset in self.rng.sample(range(1, 5_000), count)]
        made = []
        for index, product_id in enumerate(ids):
            name = ODD_NAMES[index] if index < len(ODD_NAMES) else " ".join(self.rng.sample(WORDS, 2)).capitalize()
            price = 0 if index == 1 else self.rng.randint(1, 99_999)
            self.conn.execute("INSERT INTO shop.products VALUES (%s, %s, %s)", (product_id, name, price))
            product = {"id": product_id, "name": name, "price_cents": price}
            self.products[product_id] = product
            made.append(product)
        return made

    def missing_ids(self, count):
        return [i for i in self.rng.sample(range(10**6, 10**7), count + 3) if i not in self.products][:count]

    def reads(self, product_id):
        return self.conn.execute("SELECT count(*) FROM shop.reads WHERE product_id = %s", (product_id,)).fetchone()[0]

    def price(self, product_id):
        return self.conn.execute("SELECT price_cents FROM shop.products WHERE id = %s", (product_id,)).fetchone()[0]


@pytest.fixture
def shop(grading, variant, redis_db, seed, request):
    url = grading.pg.admin_url(grading.database(variant))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        yield Shop(conn, random.Random(f"{seed}:{request.node.name}"))


def shown(product_id, variant):
    return f"product:{product_id}" if variant == "public" else "product:<id>"


def expect_product(got, want, variant, call="get_product"):
    if got != want:
        detail = f" {got!r} instead of {want!r}" if variant == "public" else " another value than the product"
        raise Mismatch(f"{call} returned{detail}")



@pytest.mark.task(5)
@pytest.mark.points(2)
def test_concurrent_misses_of_a_missing_product(contenders, write_gate, shop, variant):
    """callers missing an unknown product at once read the database once, and all get None"""
    shop.add(2)
    workers = contenders(12)
    product_id = shop.missing_ids(1)[0]
    run = call_together(workers, "get_product", [(product_id,)] * len(workers), write_gate, inject=BOTH)
    if any(got is not None for got in run.values()):
        raise Mismatch("get_product returned a value for a product that does not exist, when called by many at once")
    reads = shop.reads(product_id)
    if reads != 1:
        raise Mismatch(f"{len(workers)} callers asking at once for a product that does not exist read the database "
                       f"{reads} times, not once: the lock holder caches the null, and the waiting callers must "
                       "take a cached null as an answer (GET returns the text null, not None)")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_update_of_an_uncached_product(submission, shop, redis_db, variant):
    """update_price of a product nobody read yet changes the database, and the next read sees it"""
    product = shop.add(3)[2]
    new_price = product["price_cents"] + 1
    submission.call("update_price", product["id"], new_price, inject=BOTH)
    if shop.price(product["id"]) != new_price:
        raise Mismatch("update_price did not change the price in the database: call shop.set_price")
    got = submission.call("get_product", product["id"], inject=BOTH)
    expect_product(got, {**product, "price_cents": new_price}, variant)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_an_entry_in_the_cache_is_the_answer(submission, shop, redis_db, variant):
    """an entry already in Redis is returned as it is, without reading the database"""
    product = shop.add(4)[3]
    cached = {**product, "name": product["name"] + " (cached)"}
    redis_db.set(f"product:{product['id']}", json.dumps(cached), ex=300)
    got = submission.call("get_product", product["id"], inject=BOTH)
    if got == product:
        raise Mismatch("get_product read the database although the product was in the cache: look in Redis first")
    expect_product(got, cached, variant)
    if shop.reads(product["id"]) != 0:
        raise Mismatch("get_product read the database although the product was in the cache")
