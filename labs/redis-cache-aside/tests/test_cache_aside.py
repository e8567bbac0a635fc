"""Public checks for redis-cache-aside.

Each check builds the schema `shop` afresh in the run's PostgreSQL database (as administrator, so
that you can reach the rows only through its two functions), fills it with products generated from
`seed`, and counts your database reads in `shop.reads`, one row per call of `shop.product_by_id`.
Redis (`redis_db`) is emptied before every check. Values are quoted for the public data only.
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


def expect_entry(redis_db, product_id, want, ttl_range, variant):
    key = shown(product_id, variant)
    kind = redis_db.type(f"product:{product_id}")
    if kind == "none":
        raise Mismatch(f"there is no key {key} after get_product: cache the answer under exactly that name")
    if kind != "string":
        raise Mismatch(f"{key} holds a {kind}: store the JSON text of the answer as a string (SET)")
    text = redis_db.get(f"product:{product_id}")
    try:
        stored = json.loads(text)
    except ValueError:
        raise Mismatch(f"{key} does not hold JSON: store json.dumps(answer)") from None
    if stored != want:
        raise Mismatch(f"{key} holds the JSON of another value than get_product's answer"
                       + (f": {stored!r} instead of {want!r}" if variant == "public" else ""))
    ttl = redis_db.ttl(f"product:{product_id}")
    if ttl == -1:
        raise Mismatch(f"{key} never expires: an entry without a lifetime serves a missed update forever and "
                       "keeps the cache growing. SET it with ex=seconds")
    low, high = ttl_range
    if not low - 5 <= ttl <= high:  # a few seconds' slack for a busy machine
        raise Mismatch(f"{key} expires in {ttl} s: it should live between {low} and {high} s")
    return ttl


def expect_reads(shop, product_id, want, why):
    got = shop.reads(product_id)
    if got != want:
        raise Mismatch(f"the database was read {got} times for one product, not {want}: {why}")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_reads_through_the_cache(submission, shop, redis_db, variant):
    """get_product loads a product once, caches it at product:{id}, and answers later calls from Redis"""
    for product in shop.add(6):
        for _ in range(3):
            got = submission.call("get_product", product["id"], inject=BOTH)
            expect_product(got, product, variant)
        expect_entry(redis_db, product["id"], product, FOUND_TTL, variant)
        expect_reads(shop, product["id"], 1, "after the first call, the product is answered from the cache "
                     "(look in Redis before the database)")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_entries_expire_with_jitter(submission, shop, redis_db, variant):
    """each entry lives 300 to 360 s, with a random extra per entry"""
    products = shop.add(20)
    ttls = set()
    for product in products:
        submission.call("get_product", product["id"], inject=BOTH)
        ttls.add(expect_entry(redis_db, product["id"], product, FOUND_TTL, variant))
    if len(ttls) == 1:
        raise Mismatch(f"all {len(products)} entries cached together expire in the same second: add a random extra "
                       "(0 to 60 s) to each entry's lifetime, so they do not all expire at once")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_missing_products_are_cached_as_null(submission, shop, redis_db, variant):
    """a product that does not exist is cached as null for 30 to 40 s and read from the database once"""
    shop.add(3)
    for product_id in shop.missing_ids(3):
        for _ in range(3):
            got = submission.call("get_product", product_id, inject=BOTH)
            if got is not None:
                what = repr(got) if variant == "public" else "a value"
                raise Mismatch(f"get_product returned {what} for a product that does not exist: return None")
        expect_entry(redis_db, product_id, None, MISSING_TTL, variant)
        expect_reads(shop, product_id, 1, "cache that the product does not exist (the JSON null) so repeated "
                     "lookups of unknown ids stay away from the database")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_update_invalidates_the_entry(submission, shop, redis_db, variant):
    """after update_price, get_product returns the new price; other entries stay cached"""
    products = shop.add(4)
    for product in products:
        submission.call("get_product", product["id"], inject=BOTH)
    changed, kept = products[:2], products[2:]
    for product in changed:
        new_price = product["price_cents"] + shop.rng.randint(1, 5_000)
        submission.call("update_price", product["id"], new_price, inject=BOTH)
        if shop.price(product["id"]) != new_price:
            raise Mismatch("update_price did not change the price in the database: call shop.set_price")
        product["price_cents"] = new_price
    for product in changed:
        got = submission.call("get_product", product["id"], inject=BOTH)
        if isinstance(got, dict) and got.get("price_cents") != product["price_cents"]:
            raise Mismatch("after update_price, get_product still returns the old price from the cache: delete "
                           "the product's entry after writing the database, so the next read loads the new row")
        expect_product(got, product, variant)
    for product in kept:
        expect_product(submission.call("get_product", product["id"], inject=BOTH), product, variant)
        expect_reads(shop, product["id"], 1, "update_price should remove only the changed product's entry")


@pytest.mark.task(5)
@pytest.mark.points(3)
def test_concurrent_misses_read_the_database_once(contenders, write_gate, shop, variant):
    """12 callers missing the same entry at once reach the database once, and all get the product"""
    workers = contenders(12)
    for product in shop.add(2):
        run = call_together(workers, "get_product", [(product["id"],)] * len(workers), write_gate, inject=BOTH)
        for got in run.values():
            expect_product(got, product, variant)
        expect_reads(shop, product["id"], 1, f"{len(workers)} callers missed the entry at the same moment and "
                     "each read the database (a cache stampede). Let only the caller that takes "
                     "lock:product:{id} with SET NX PX read it; the others wait for the cache to fill")


@pytest.mark.task(5)
@pytest.mark.points(1)
def test_the_lock_holder_deletes_its_lock(submission, shop, redis_db, variant):
    """after a miss is loaded, lock:product:{id} is gone: the next miss need not wait for it to expire"""
    for product in shop.add(3):
        expect_product(submission.call("get_product", product["id"], inject=BOTH), product, variant)
        if redis_db.exists(f"lock:product:{product['id']}"):
            raise Mismatch("get_product loaded a product and left lock:product:{id} behind: until it expires, every "
                           "miss of that product (e.g. right after update_price) waits for a load nobody is doing. "
                           "Delete the lock when done, after checking it still holds your token (GET == token), "
                           "so you never delete a lock another caller took after yours expired")
