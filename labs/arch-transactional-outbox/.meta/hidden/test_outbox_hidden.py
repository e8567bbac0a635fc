"""Hidden check for arch-transactional-outbox: duplicates that reach a second consumer process
(deduplication must live in the database, not in one process's memory)."""

import pytest

from grader.checks.problems import Mismatch


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_duplicates_across_consumer_processes_apply_once(workers, redis_db, variant):
    """an event applied by one consumer process and delivered again to another is not applied again"""
    db = workers.db
    plenty = sorted(sku for sku, n in db.rows("SELECT sku, stock FROM products") if n >= 20)
    producer = workers.start()
    producer.call("place_order", "first", plenty[-1], 2)
    producer.call("relay_once")
    assert workers.start().call("consume", "shipper-a") == 1, "consume() must read the one new entry"
    producer.call("place_order", "second", plenty[0], 3)
    producer.call("relay_once")
    for _, fields in redis_db.xrange("orders"):
        redis_db.xadd("orders", fields)  # both events again
    workers.start().call("consume", "shipper-b")
    units = dict(db.rows("SELECT sku, units FROM sales"))
    if units[plenty[-1]] != 2 or units[plenty[0]] != 3:
        raise Mismatch("an event already applied by another consumer process was applied again: keep the "
                       "processed event ids in the database (processed_events), not in memory")
