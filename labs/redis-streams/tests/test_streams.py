"""Public checks for redis-streams.

Each check makes its own streams and entries from `seed`. Consumers run in separate processes of your
module; a consumer "crashes" when the check kills its process after `consume` returned (its entries
are then pending, never acknowledged). Idle times are read from the server (XPENDING) before the
check relies on them, so a busy machine cannot change a verdict. Concurrency: consumers call at the
same moment through a write gate (grader/checks/contenders.py).
"""

import random
import time

import pytest
import redis

from grader.checks.contenders import call_together
from grader.checks.problems import GraderFault, Mismatch

EVENTS = ["signup", "order", "refund", "login", "upload"]


def rng_for(seed, check):
    return random.Random(f"{seed}:{check}")


def new_stream(rng, label="events"):
    return f"{label}:{rng.getrandbits(32):08x}", f"group-{rng.getrandbits(16):04x}"


def new_fields(rng, index):
    return {"kind": rng.choice(EVENTS), "n": str(index), "user": f"u{rng.randint(1, 999)}"}


def fill(redis_db, stream, rng, count, first=0):
    """Entries the check publishes itself (as the task's producer would), with their ids."""
    return [[redis_db.xadd(stream, fields), fields] for fields in (new_fields(rng, first + i) for i in range(count))]


def entries(got, call):
    if not isinstance(got, list) or not all(isinstance(e, list) and len(e) == 2 and isinstance(e[1], dict)
                                            for e in got):
        raise Mismatch(f"{call} should return a list of [id, fields] entries, not {got!r}")
    return got


def ids(batch):
    return [entry_id for entry_id, _ in batch]


def pending_of(redis_db, stream, group):
    """{entry id: (consumer, idle ms)} of the group's pending entries."""
    try:
        rows = redis_db.xpending_range(stream, group, min="-", max="+", count=10_000)
    except redis.ResponseError as exc:
        if "NOGROUP" in str(exc):
            raise Mismatch("the consumer group does not exist on the stream: ensure_group should create it "
                           "(XGROUP CREATE … MKSTREAM)") from None
        raise
    return {row["message_id"]: (row["consumer"], row["time_since_delivered"]) for row in rows}


# 1. A bounded stream ---------------------------------------------------------------------------

@pytest.mark.task(1)
@pytest.mark.points(2)
def test_publish_keeps_the_newest_maxlen_entries(submission, redis_db, seed):
    """publish appends the fields and trims the stream to exactly maxlen entries"""
    rng = rng_for(seed, "publish")
    stream, _ = new_stream(rng)
    maxlen = rng.randint(5, 9)
    published = []
    for index in range(20):
        fields = new_fields(rng, index)
        entry_id = submission.call("publish", stream, fields, maxlen, inject="redis")
        published.append([entry_id, fields])
    stored = [[entry_id, fields] for entry_id, fields in redis_db.xrange(stream)]
    if len(stored) > maxlen:
        raise Mismatch(f"after 20 entries with maxlen {maxlen} the stream holds {len(stored)}: trim with MAXLEN, "
                       "exactly (approximate trimming with ~ removes whole blocks of entries, and none of a small "
                       "stream)")
    if stored != published[-maxlen:]:
        raise Mismatch("the stream should hold the newest maxlen entries with their fields, under the ids publish "
                       "returned")


# 2. A consumer group ---------------------------------------------------------------------------

@pytest.mark.task(2)
@pytest.mark.points(2)
def test_a_group_delivers_each_entry_once(submission, redis_db, seed):
    """entries published before the group exist are delivered; each goes to one consumer"""
    rng = rng_for(seed, "group")
    stream, group = new_stream(rng)
    published = fill(redis_db, stream, rng, 6)
    submission.call("ensure_group", stream, group, inject="redis")
    submission.call("ensure_group", stream, group, inject="redis")  # again: nothing happens
    first = entries(submission.call("consume", stream, group, "alpha", 2, inject="redis"), "consume")
    if not first and published:
        raise Mismatch("consume returned nothing although entries were published before the group was created: "
                       "create the group from the beginning of the stream (id 0), not from $ (only new entries)")
    if first != published[:2]:
        raise Mismatch("the first consume of count 2 should return the stream's first 2 entries, in order")
    second = entries(submission.call("consume", stream, group, "beta", 10, inject="redis"), "consume")
    if second != published[2:]:
        raise Mismatch("a second consumer should get the entries the first did not receive, and only those")


# 3. Acknowledging ------------------------------------------------------------------------------

@pytest.mark.task(3)
@pytest.mark.points(2)
def test_ack_ends_pending(submission, redis_db, seed):
    """unacknowledged entries stay pending and come back to their consumer; acknowledged ones do not"""
    rng = rng_for(seed, "ack")
    stream, group = new_stream(rng)
    published = fill(redis_db, stream, rng, 5)
    submission.call("ensure_group", stream, group, inject="redis")
    got = entries(submission.call("consume", stream, group, "alpha", 3, inject="redis"), "consume")
    again = entries(submission.call("consume", stream, group, "alpha", 3, inject="redis"), "consume")
    if again != got:
        raise Mismatch("a consumer that has not acknowledged its entries should get them again from consume (its "
                       "pending entries come first)")
    done = submission.call("ack", stream, group, ids(got), inject="redis")
    left = pending_of(redis_db, stream, group)
    if left:
        raise Mismatch(f"after ack of {len(got)} entries, {len(left)} are still pending for the group: XACK them")
    if done != len(got):
        raise Mismatch(f"ack of {len(got)} pending entries returned {done!r}, not {len(got)}")
    again = submission.call("ack", stream, group, ids(got), inject="redis")
    if again != 0:
        raise Mismatch(f"ack of entries acknowledged already returned {again!r}, not 0: XACK counts only the "
                       "entries that were still pending")
    none = submission.call("ack", stream, group, [], inject="redis")
    if none != 0:
        raise Mismatch(f"ack of an empty list of ids returned {none!r}, not 0 (a consumer acknowledges an empty "
                       "batch when consume found nothing; XACK itself needs at least one id)")
    rest = entries(submission.call("consume", stream, group, "alpha", 10, inject="redis"), "consume")
    if rest != published[3:]:
        raise Mismatch("after acknowledging its entries, the consumer should get the new ones")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_consumers_at_once_share_the_work(contenders, write_gate, redis_db, seed):
    """8 consumers in separate processes, reading at the same moments: every entry processed exactly once"""
    rng = rng_for(seed, "share")
    stream, group = new_stream(rng)
    published = fill(redis_db, stream, rng, rng.randint(40, 50))
    workers = contenders(8)
    workers[0].call("ensure_group", stream, group, inject="redis")
    names = [f"worker-{i}" for i in range(len(workers))]
    seen = []
    for _ in range(5):
        run = call_together(workers, "consume", [(stream, group, name, 2) for name in names], write_gate,
                            inject="redis")
        batches = [entries(got, "consume") for got in run.values()]
        call_together(workers, "ack", [(stream, group, ids(batch)) for batch in batches], None, inject="redis")
        seen += [entry for batch in batches for entry in batch]
    seen_ids = ids(seen)
    if len(seen_ids) != len(set(seen_ids)):
        raise Mismatch(f"{len(seen_ids) - len(set(seen_ids))} entries were handed to more than one consumer: read "
                       "with XREADGROUP '>' so that the server gives each new entry to one consumer")
    if sorted(seen_ids) != sorted(ids(published))[:len(seen_ids)] or len(seen_ids) != min(80, len(published)):
        raise Mismatch("consumers reading together skipped entries or did not get as many as they asked for")


# 4. Crashed and dead consumers -----------------------------------------------------------------

@pytest.mark.task(4)
@pytest.mark.points(2)
def test_a_restarted_consumer_finishes_its_pending_entries(contenders, redis_db, seed):
    """a consumer killed before acknowledging gets its entries again when it restarts under the same name"""
    rng = rng_for(seed, "restart")
    stream, group = new_stream(rng)
    published = fill(redis_db, stream, rng, 7)
    crashed, restarted = contenders(2)
    crashed.call("ensure_group", stream, group, inject="redis")
    first = entries(crashed.call("consume", stream, group, "indexer", 3, inject="redis"), "consume")
    crashed.close()  # killed in the middle of its work, before ack
    after = entries(restarted.call("consume", stream, group, "indexer", 3, inject="redis"), "consume")
    if after != first:
        raise Mismatch("a consumer restarted under the same name did not get the entries it had received before "
                       "crashing: reading only new entries ('>') after a restart leaves them pending forever. "
                       "Read its own pending entries first (XREADGROUP with id 0)")
    restarted.call("ack", stream, group, ids(after), inject="redis")
    rest = entries(restarted.call("consume", stream, group, "indexer", 10, inject="redis"), "consume")
    if rest != published[3:]:
        raise Mismatch("after finishing its pending entries, the restarted consumer should get the new ones")


def wait_until_idle(redis_db, stream, group, wanted, at_least_ms):
    for _ in range(200):
        pending = pending_of(redis_db, stream, group)
        if all(pending.get(i, ("", 0))[1] >= at_least_ms for i in wanted):
            return
        time.sleep(0.02)
    raise GraderFault("pending entries did not become idle in time")


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_a_dead_consumers_entries_are_reclaimed(contenders, redis_db, seed):
    """entries of a consumer that died are reclaimed once idle long enough, and not before"""
    rng = rng_for(seed, "reclaim")
    stream, group = new_stream(rng)
    fill(redis_db, stream, rng, 6)
    dead, alive = contenders(2)
    dead.call("ensure_group", stream, group, inject="redis")
    lost = entries(dead.call("consume", stream, group, "dead", 4, inject="redis"), "consume")
    dead.close()
    early = entries(alive.call("reclaim", stream, group, "alive", 60_000, 10, inject="redis"), "reclaim")
    if max((idle for _, idle in pending_of(redis_db, stream, group).values()), default=0) >= 50_000:
        raise GraderFault("the machine was too busy to run this check")
    if early:
        raise Mismatch("reclaim took entries that had been pending for less than min_idle_ms: their consumer may "
                       "still be working on them. Pass min_idle_ms to XAUTOCLAIM")
    wait_until_idle(redis_db, stream, group, ids(lost), 250)
    claimed = entries(alive.call("reclaim", stream, group, "alive", 200, 10, inject="redis"), "reclaim")
    if claimed != lost:
        raise Mismatch("reclaim should return the dead consumer's pending entries, idle for longer than "
                       "min_idle_ms, in stream order (XAUTOCLAIM from 0-0)")
    owners = {owner for owner, _ in pending_of(redis_db, stream, group).values()}
    if owners != {"alive"}:
        raise Mismatch("after reclaim, the entries should be pending for the consumer that reclaimed them")
    alive.call("ack", stream, group, ids(claimed), inject="redis")
    if pending_of(redis_db, stream, group):
        raise Mismatch("after the reclaimed entries were acknowledged, entries are still pending")
