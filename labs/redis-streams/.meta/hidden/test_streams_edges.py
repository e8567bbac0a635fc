"""Hidden checks for redis-streams: the edges where a plausible consumer goes wrong, on the hidden run.

Values of the hidden data are not quoted in feedback.
"""

import random
import time

import pytest
import redis

from grader.checks.problems import Mismatch


def names(seed, label):
    rng = random.Random(f"{seed}:{label}")
    return f"{label}:{rng.getrandbits(32):08x}", f"g-{rng.getrandbits(16):04x}"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_maxlen_one_and_unusual_fields(submission, redis_db, seed):
    """maxlen 1 keeps only the last entry; fields with spaces and accents are kept exactly"""
    stream, _ = names(seed, "one")
    last = None
    for fields in ({"text": "a b c"}, {"text": "café ☕", "note": "O'Brien"}):
        last = [submission.call("publish", stream, fields, 1, inject="redis"), fields]
    if [[i, f] for i, f in redis_db.xrange(stream)] != [last]:
        raise Mismatch("with maxlen 1 the stream should hold only the last entry, with its fields exactly")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_a_group_on_a_stream_that_does_not_exist_yet(submission, redis_db, seed):
    """ensure_group creates the stream when it is missing; consume returns [] when there is nothing"""
    stream, group = names(seed, "fresh")
    submission.call("ensure_group", stream, group, inject="redis")
    if redis_db.type(stream) != "stream":
        raise Mismatch("ensure_group on a stream that does not exist should create it (MKSTREAM)")
    if submission.call("consume", stream, group, "c", 5, inject="redis") != []:
        raise Mismatch("consume on an empty stream should return []")
    entry_id = redis_db.xadd(stream, {"k": "v"})
    if submission.call("consume", stream, group, "c", 5, inject="redis") != [[entry_id, {"k": "v"}]]:
        raise Mismatch("an entry published after the group was created was not delivered")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_reclaim_takes_at_most_count_oldest_first(contenders, redis_db, seed):
    """reclaim moves at most `count` idle entries, the oldest first; the rest stay with their consumer"""
    stream, group = names(seed, "count")
    published = [redis_db.xadd(stream, {"n": str(i)}) for i in range(5)]
    dead, alive = contenders(2)
    dead.call("ensure_group", stream, group, inject="redis")
    dead.call("consume", stream, group, "dead", 5, inject="redis")
    dead.close()
    time.sleep(0.2)
    claimed = alive.call("reclaim", stream, group, "alive", 100, 2, inject="redis")
    if not isinstance(claimed, list) or [e[0] for e in claimed if isinstance(e, list) and e] != published[:2]:
        raise Mismatch("reclaim with count 2 should move the 2 oldest idle entries, and return them")
    try:
        owners = [row["consumer"] for row in redis_db.xpending_range(stream, group, min="-", max="+", count=10)]
    except redis.ResponseError:
        raise Mismatch("the consumer group does not exist on the stream: ensure_group should create it") from None
    if owners != ["alive", "alive", "dead", "dead", "dead"]:
        raise Mismatch("after reclaim with count 2, the other 3 entries should still be pending for their consumer")
