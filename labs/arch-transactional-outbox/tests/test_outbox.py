"""Public checks for arch-transactional-outbox. Each check gets a fresh copy of the `outbox` database
and a flushed Redis database, and runs your solution.py in worker processes. The grader is the
nemesis: it kills a process right after it committed, holds its Redis requests in a proxy so a
relay dies mid-publish, locks the outbox to stop place_order between its two writes, and delivers
an event twice. Each check runs on the public data and again on a hidden one."""

import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.apps.gate import LockGate
from grader.checks.problems import Mismatch, SubmissionProblem

SETTLE_S = 25


def products(db):
    """{sku: stock} and the SKUs of the product with no stock, the one with exactly 3, and two plentiful."""
    stock = dict(db.rows("SELECT sku, stock FROM products ORDER BY sku"))
    empty = next(sku for sku, n in stock.items() if n == 0)
    three = next(sku for sku, n in stock.items() if n == 3)
    plenty = sorted(sku for sku, n in stock.items() if n >= 20)
    return stock, empty, three, plenty


def events(redis_db):
    """What the stream `orders` holds: [(event_id, payload)] in stream order."""
    return [(int(fields["event_id"]), json.loads(fields["payload"])) for _, fields in redis_db.xrange("orders")]


def order_of(db, customer):
    row = db.rows("SELECT id FROM orders WHERE customer = %s", (customer,))
    return row[0][0] if row else None


def delivered(redis_db, order_id):
    return sum(1 for _, payload in events(redis_db) if payload.get("order_id") == order_id)


def run_until(call, done, timeout_s=SETTLE_S):
    deadline = time.monotonic() + timeout_s
    while not call.done() and not done():
        if time.monotonic() > deadline:
            raise SubmissionProblem(f"your function neither returned nor reached Redis within {timeout_s} s")
        time.sleep(0.02)


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_order_and_event_commit_together(workers, redis_db, variant):
    """killed between writing the order and its event: both are there, or neither"""
    db = workers.db
    _, _, _, plenty = products(db)
    worker = workers.start()
    with ThreadPoolExecutor(1) as pool:
        with LockGate(db.admin_url, [("LOCK TABLE outbox IN SHARE MODE", ())]) as gate:
            call = pool.submit(worker.call, "place_order", "gated", plenty[0], 1)
            stopped = gate.settle(lambda: 0 if call.done() else 1, SETTLE_S)
            if stopped:
                worker.kill()  # it was writing its event: the process dies here
                gate.terminate_waiters()
        with contextlib.suppress(SubmissionProblem):
            call.result()
    if not stopped:
        raise Mismatch("place_order() returned without writing its event to the outbox table (the grader had "
                       "locked it): insert the event into outbox in the same transaction as the order")
    order = order_of(db, "gated")
    if order is not None and not db.scalar("SELECT count(*) FROM outbox WHERE (payload->>'order_id')::bigint = %s",
                                           (order,)):
        raise Mismatch("place_order() was killed while writing the event, and the order was already committed "
                       "without it: the event is lost for good. Write the order and its outbox row in ONE "
                       "transaction (with conn.transaction():)")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_a_crash_right_after_commit_still_delivers(workers, proxies, redis_db, variant):
    """place_order works while Redis hangs; killed right after it committed, the relay still delivers the event"""
    db = workers.db
    _, _, _, plenty = products(db)
    worker = workers.start(proxied=["redis"])
    proxies.redis.hold()  # Redis takes requests and never answers
    with ThreadPoolExecutor(1) as pool:
        call = pool.submit(worker.call, "place_order", "crashed", plenty[0], 2)
        run_until(call, proxies.redis.held)
        worker.kill()  # right after the commit (or while it waits for Redis)
        proxies.redis.cut()
        proxies.redis.heal()
        with contextlib.suppress(SubmissionProblem):
            call.result()
    order = order_of(db, "crashed")
    if order is None:
        raise Mismatch("place_order() did not commit the order while Redis was not answering: the order must not "
                       "depend on the broker — write the event to the outbox table, and let the relay publish it")
    workers.start().call("relay_once")
    if not delivered(redis_db, order):
        raise Mismatch("the process died right after committing the order; the relay ran afterwards but the "
                       "order's event never reached the stream: it was lost between the commit and the publish. "
                       "Write it to the outbox in the order's transaction; relay_once() publishes it")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_a_rolled_back_order_delivers_nothing(workers, redis_db, variant):
    """an order the database refuses (no stock) leaves no order, no stock change and no event"""
    db = workers.db
    _, empty, three, _ = products(db)
    worker = workers.start()
    for customer, sku, quantity in [("too-many", three, 4), ("sold-out", empty, 1)]:
        try:
            worker.call("place_order", customer, sku, quantity)
        except SubmissionProblem:
            pass  # refused: right
        else:
            raise Mismatch(f"place_order({customer!r}, {sku!r}, {quantity}) returned, but there is not enough stock: "
                           "let the database's CHECK (stock >= 0) refuse it, and let the error propagate")
    exact = worker.call("place_order", "exact", three, 3)  # the boundary: exactly the stock left is fine
    if order_of(db, "exact") != exact:
        raise Mismatch("place_order() must return the new order's id")
    if db.scalar("SELECT count(*) FROM orders WHERE customer IN ('too-many', 'sold-out')"):
        raise Mismatch("a refused order was stored")
    after = dict(db.rows("SELECT sku, stock FROM products"))
    if after[empty] != 0 or after[three] != 0:
        raise Mismatch("a refused order changed the stock")
    workers.start().call("relay_once")
    ghosts = [p for _, p in events(redis_db) if p.get("customer") in ("too-many", "sold-out")]
    if ghosts:
        raise Mismatch("an event was published for an order that was rolled back: consumers now act on an order that "
                       "does not exist. Publish only what committed — from the outbox, never before the commit")
    if delivered(redis_db, exact) != 1:
        raise Mismatch("the order that used up the last stock was committed, but its event was not delivered once")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_the_relay_publishes_each_pending_event_once(workers, redis_db, variant):
    """relay_once publishes every unpublished outbox row in id order, marks it, and nothing twice"""
    db, reveal = workers.db, variant == "public"
    _, _, _, plenty = products(db)
    worker = workers.start()
    ids = [worker.call("place_order", f"buyer-{n}", plenty[n % 2], n + 1) for n in range(3)]
    pending = [row[0] for row in db.rows("SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id")]
    count = worker.call("relay_once")
    got = events(redis_db)
    if [event_id for event_id, _ in got] != pending:
        shown = f": expected event ids {pending}, got {[e for e, _ in got]}" if reveal else ""
        raise Mismatch(f"the stream must hold each unpublished outbox row once, in id order, with field event_id = "
                       f"outbox.id{shown} (rows already published must not be sent again)")
    if [payload.get("order_id") for _, payload in got] != ids:
        raise Mismatch("each event's payload field must be the outbox row's payload (with its order_id)")
    if count != len(pending):
        raise Mismatch(f"relay_once() must return how many events it published ({len(pending)}), not {count}")
    if db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
        raise Mismatch("a published event is still unmarked in outbox (published_at is NULL)")
    if worker.call("relay_once") != 0 or len(events(redis_db)) != len(pending):
        raise Mismatch("a second relay_once() with nothing pending must publish nothing")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_a_relay_killed_mid_publish_loses_nothing(workers, proxies, redis_db, variant):
    """a relay killed while publishing: the next relay run still delivers every event"""
    db = workers.db
    _, _, _, plenty = products(db)
    ids = [workers.start().call("place_order", f"relayed-{n}", plenty[n], 1) for n in range(2)]
    relay = workers.start(proxied=["redis"])
    proxies.redis.hold()
    with ThreadPoolExecutor(1) as pool:
        call = pool.submit(relay.call, "relay_once")
        run_until(call, proxies.redis.held)
        if call.done():
            call.result()
            raise Mismatch("relay_once() returned without sending anything to Redis while events were pending")
        relay.kill()  # mid-publish: its request never reached Redis
        proxies.redis.cut()
        proxies.redis.heal()
        with contextlib.suppress(SubmissionProblem):
            call.result()
    workers.start().call("relay_once")
    lost = [order for order in ids if not delivered(redis_db, order)]
    if lost:
        raise Mismatch(f"the relay died while publishing; the next run did not deliver {len(lost)} event(s): they were "
                       "marked published before Redis had them. Publish first, mark published_at after (at least "
                       "once: a crash in between publishes again, and the consumer deduplicates)")


@pytest.mark.task(3)
@pytest.mark.points(4)
def test_the_consumer_applies_an_event_delivered_twice_once(workers, redis_db, variant):
    """a consumer started before anything was published reads nothing; the grader delivers events twice: the
    consumer's sales count each order once"""
    db, reveal = workers.db, variant == "public"
    _, _, _, plenty = products(db)
    consumer = workers.start()
    early = consumer.call("consume", "shipper-1")  # before anything was published: no stream, no group yet
    if early != 0:
        raise Mismatch(f"consume() before any event was published must read nothing and return 0, not {early!r}")
    worker = workers.start()
    orders = [(plenty[0], 2), (plenty[1], 5), (plenty[0], 1)]
    for n, (sku, quantity) in enumerate(orders):
        worker.call("place_order", f"consumed-{n}", sku, quantity)
    worker.call("relay_once")
    entries = redis_db.xrange("orders")
    if len(entries) != len(orders):
        raise Mismatch(f"relay_once() must publish the {len(orders)} new orders' events before they can be consumed; "
                       f"the stream holds {len(entries)}")
    for _, fields in (entries[0], entries[-1]):
        redis_db.xadd("orders", fields)  # the same event again, as after a relay crash
    read = 0
    for _ in range(5):
        got = consumer.call("consume", "shipper-1")
        if not got:
            break
        read += got
    if read != len(entries) + 2:
        raise Mismatch(f"consume() must read every entry the group has not seen ({len(entries) + 2}, duplicates "
                       f"included) and return how many; it returned {read} in all")
    sales = dict(db.rows("SELECT sku, units FROM sales"))
    for sku in {sku for sku, _ in orders}:
        expected = sum(q for s, q in orders if s == sku)
        if sales[sku] != expected:
            detail = f" ({sku}: expected {expected}, got {sales[sku]})" if reveal else ""
            raise Mismatch(f"an event delivered twice was applied twice{detail}: record each event_id in "
                           "processed_events in the same transaction as its effect, and skip an event already there")
    if db.scalar("SELECT count(*) FROM processed_events") != len(entries):
        raise Mismatch("processed_events must hold each applied event_id once")
    if redis_db.xpending("orders", "shipping")["pending"]:
        raise Mismatch("entries are left pending in the group: XACK each entry once it is applied (or skipped)")
