"""Public checks for redis-pubsub-vs-streams.

Listeners run in separate processes of your module while the check sends notifications. The check
starts sending only once the server shows the listener subscribed (PUBSUB NUMSUB) or waiting (its
connection blocked in CLIENT LIST), so no verdict depends on how fast a process starts.
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.checks.problems import Mismatch

# A listener returns as soon as its messages came, so a long timeout costs a correct one nothing; it only
# has to outlast a loaded machine starting the publishing process (below lab.yaml worker_timeout_s).
LISTEN_MS = 9_000
# A listener given WHOLE_LISTEN_MS hears a message published LAST_SECOND_AT_S after it subscribed, when under a
# second of its time is left: code that stops early, or floors the milliseconds to whole seconds, returns first.
WHOLE_LISTEN_MS = 1_900
LAST_SECOND_AT_S = 1.0


def rng_for(seed, check):
    return random.Random(f"{seed}:{check}")


def new_name(rng, label, prefix=""):
    """A channel or stream name; channels carry the run's prefix (pub/sub is shared by the whole server)."""
    return f"{prefix}{label}:{rng.getrandbits(32):08x}"


def new_messages(rng, count):
    return [f"{rng.choice(['deploy', 'price', 'stock', 'login'])}-{rng.getrandbits(24):06x}" for _ in range(count)]


def show(value, variant):
    """A value for feedback: quoted on the public data only."""
    return repr(value) if variant == "public" else "(values of the hidden data are not shown)"


def wait_for(condition, what):
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    raise Mismatch(f"the listener never {what} (seen on the server): does it subscribe, or read with BLOCK?")


def subscribers(redis_db, channel):
    return dict(redis_db.pubsub_numsub(channel)).get(channel, 0)


def blocked_listeners(redis_db, lease):
    """Learner connections (the lease's own ACL user) blocked in this lease's database."""
    return sum(1 for c in redis_db.client_list() if c.get("user") == lease.user and str(c.get("db")) == str(lease.db)
               and "b" in str(c.get("flags", "")))


def pairs(got, call):
    if not isinstance(got, list) or not all(isinstance(p, list) and len(p) == 2 for p in got):
        raise Mismatch(f"{call} should return a list of [id, message] pairs, not {got!r}")
    return got


# 1. and 2. Pub/sub ----------------------------------------------------------------------------

@pytest.mark.task(1)
@pytest.mark.points(2)
def test_live_subscribers_receive_every_message(submission, contenders, channel_prefix, redis_db, seed, variant):
    """two subscribed listeners each receive the first count messages, in order, and stop there; PUBLISH
    reports 2 receivers"""
    rng = rng_for(seed, "live")
    channel, messages = new_name(rng, "news", channel_prefix), new_messages(rng, 4)
    wanted = messages[:3]  # the fourth comes after count: a listener that has its count is gone or ignores it
    listeners = contenders(2)
    submission.ready()  # started and imported before the listeners' timeout_ms begins
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(w.call, "listen_pubsub", channel, len(wanted), LISTEN_MS, inject="redis")
                   for w in listeners]
        wait_for(lambda: subscribers(redis_db, channel) == 2 or any(f.done() for f in futures), "subscribed")
        for message in wanted:
            got = submission.call("notify_pubsub", channel, message, inject="redis")
            if got != 2:
                raise Mismatch(f"notify_pubsub returned {got!r} while 2 listeners were subscribed: return what "
                               "PUBLISH answers, the number of subscribers that received the message")
        redis_db.publish(channel, messages[-1])
        received = [f.result() for f in futures]
    for got in received:
        if got != wanted:
            raise Mismatch(f"a subscribed listener asked for {len(wanted)} messages returned {show(got, variant)} "
                           f"instead of the first {len(wanted)} published while it listened, {show(wanted, variant)}: "
                           "keep reading until count messages came (then stop) or the time is up, and skip the "
                           "subscribe confirmation")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_a_listener_listens_for_its_whole_timeout(contenders, channel_prefix, redis_db, seed, variant):
    """a listener still receives a message published in the last second of its timeout_ms, and returns with
    fewer than count messages only when timeout_ms is up"""
    rng = rng_for(seed, "whole")
    channel, messages = new_name(rng, "news", channel_prefix), new_messages(rng, 2)
    (listener,) = contenders(1)
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        future = pool.submit(listener.call, "listen_pubsub", channel, 3, WHOLE_LISTEN_MS, inject="redis")
        wait_for(lambda: subscribers(redis_db, channel) == 1 or future.done(), "subscribed")
        subscribed = time.monotonic()  # the listener's timeout_ms began before this
        redis_db.publish(channel, messages[0])
        time.sleep(max(0.0, subscribed + LAST_SECOND_AT_S - time.monotonic()))
        redis_db.publish(channel, messages[1])  # under a second of the listener's timeout_ms is left
        got = future.result()
        listened_s = time.monotonic() - started  # the call's own overheads only add to it
    if got != messages:
        raise Mismatch(f"a listener returned {show(got, variant)} instead of {show(messages, variant)}, the second "
                       "published in the last second of its timeout_ms: listen until the whole timeout has passed")
    if listened_s < 0.95 * WHOLE_LISTEN_MS / 1000:
        raise Mismatch(f"listen_pubsub returned after {listened_s:.2f} s with 2 of the 3 messages it waits for, "
                       f"before its timeout_ms ({WHOLE_LISTEN_MS} ms) was up: keep listening until count messages "
                       "came or the whole timeout has passed (timeout_ms / 1000 seconds)")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_a_late_subscriber_misses_what_came_before(submission, contenders, channel_prefix, redis_db, seed, variant):
    """messages published before anyone subscribed reach nobody (0) and are not received later"""
    rng = rng_for(seed, "late")
    channel, messages = new_name(rng, "news", channel_prefix), new_messages(rng, 3)
    for message in messages[:2]:
        got = submission.call("notify_pubsub", channel, message, inject="redis")
        if got != 0:
            raise Mismatch(f"notify_pubsub returned {got!r} with nobody subscribed: PUBLISH answers 0")
    (listener,) = contenders(1)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(listener.call, "listen_pubsub", channel, 3, 1_500, inject="redis")
        wait_for(lambda: subscribers(redis_db, channel) == 1 or future.done(), "subscribed")
        submission.call("notify_pubsub", channel, messages[2], inject="redis")
        got = future.result()
    if got != messages[2:]:
        raise Mismatch(f"a listener that subscribed after 2 messages were published returned {show(got, variant)}: "
                       "with pub/sub it receives only what is published while it listens, "
                       f"{show(messages[2:], variant)} (and returns when timeout_ms is up)")


# 3. Streams: replay ---------------------------------------------------------------------------

@pytest.mark.task(3)
@pytest.mark.points(2)
def test_a_late_reader_replays_the_stream(submission, redis_db, seed):
    """entries are kept: a reader starting late reads them all, and after any id exactly what follows"""
    rng = rng_for(seed, "replay")
    stream, messages = new_name(rng, "audit"), new_messages(rng, 6)
    ids = [submission.call("notify_stream", stream, message, inject="redis") for message in messages]
    stored = [[i, fields] for i, fields in redis_db.xrange(stream)]
    if stored != [[i, {"message": m}] for i, m in zip(ids, messages, strict=True)]:
        raise Mismatch("the stream should hold one entry per notification, with the single field message, under "
                       "the ids notify_stream returned")
    expected = [[i, m] for i, m in zip(ids, messages, strict=True)]
    got = pairs(submission.call("read_stream", stream, "0", 10, inject="redis"), "read_stream")
    if got != expected:
        raise Mismatch("read_stream(stream, '0', 10) should return every entry, oldest first: a late reader "
                       "replays the history ('$' would mean only entries added from now on)")
    got = pairs(submission.call("read_stream", stream, ids[2], 2, inject="redis"), "read_stream")
    if got != expected[3:5]:
        raise Mismatch("read_stream(stream, after_id, 2) should return the 2 entries that come after after_id, "
                       "not including after_id itself")
    if submission.call("read_stream", stream, ids[-1], 10, inject="redis") != []:
        raise Mismatch("read_stream after the last id should return []")


# 4. Streams: listening without gaps ------------------------------------------------------------

@pytest.mark.task(4)
@pytest.mark.points(2)
def test_a_waiting_listener_gets_the_next_entry(submission, contenders, redis_db, grading, variant, seed):
    """a listener blocked on the stream returns the entry added while it waits"""
    rng = rng_for(seed, "waiting")
    stream, (old, new) = new_name(rng, "audit"), new_messages(rng, 2)
    last = redis_db.xadd(stream, {"message": old})
    lease = grading.redis(variant)
    (listener,) = contenders(1)
    submission.ready()  # started and imported before the listener's timeout_ms begins
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(listener.call, "listen_stream", stream, last, LISTEN_MS, inject="redis")
        wait_for(lambda: blocked_listeners(redis_db, lease) == 1 or future.done(), "waited for new entries")
        added = submission.call("notify_stream", stream, new, inject="redis")
        got = pairs(future.result(), "listen_stream")
    if got != [[added, new]]:
        raise Mismatch("a listener waiting after the last entry should return exactly the entry added while it "
                       "waited")


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_no_entry_is_missed_between_two_listens(submission, redis_db, seed):
    """entries added while the listener was busy are returned by its next call, at once"""
    rng = rng_for(seed, "gap")
    stream, messages = new_name(rng, "audit"), new_messages(rng, 3)
    first = redis_db.xadd(stream, {"message": messages[0]})
    got = pairs(submission.call("listen_stream", stream, "0", 2_000, inject="redis"), "listen_stream")
    if got != [[first, messages[0]]]:
        raise Mismatch("listen_stream(stream, '0', …) should return the entries already in the stream")
    later = [redis_db.xadd(stream, {"message": m}) for m in messages[1:]]  # while the listener is busy
    got = pairs(submission.call("listen_stream", stream, first, 2_000, inject="redis"), "listen_stream")
    if got != [[i, m] for i, m in zip(later, messages[1:], strict=True)]:
        raise Mismatch("entries added between two calls of listen_stream were missed: reading with '$' sees only "
                       "what arrives while waiting. Read after the id of the last entry processed (after_id)")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_a_listener_gives_up_after_timeout(submission, redis_db, seed, variant):
    """with nothing new, listen_stream returns [] once timeout_ms has passed"""
    rng = rng_for(seed, "timeout")
    stream = new_name(rng, "audit")
    last = redis_db.xadd(stream, {"message": "x"})
    started = time.monotonic()
    got = submission.call("listen_stream", stream, last, 300, inject="redis")
    waited = time.monotonic() - started
    if got != []:
        raise Mismatch(f"listen_stream with nothing after after_id returned {show(got, variant)}: it should return []")
    if waited < 0.25:
        raise Mismatch(f"listen_stream returned after {waited:.2f} s: it should wait up to timeout_ms (300 ms) for "
                       "new entries (XREAD BLOCK)")
