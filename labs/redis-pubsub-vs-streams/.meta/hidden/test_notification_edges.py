"""Hidden checks for redis-pubsub-vs-streams: the edges where plausible code goes wrong, on the hidden run.

Values of the hidden data are not quoted in feedback.
"""

import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.checks.problems import Mismatch


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_a_listener_hears_only_its_own_channel(submission, contenders, channel_prefix, redis_db, seed):
    """a listener on 'x' receives nothing published on 'x:more' or 'X'"""
    channel = f"{channel_prefix}alerts:{random.Random(f'{seed}:own').getrandbits(32):08x}"
    (listener,) = contenders(1)
    submission.ready()  # started and imported before the listener's timeout_ms begins
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(listener.call, "listen_pubsub", channel, 1, 9_000, inject="redis")
        deadline = time.monotonic() + 8
        while dict(redis_db.pubsub_numsub(channel)).get(channel, 0) == 0 and not future.done():
            if time.monotonic() > deadline:
                raise Mismatch("the listener never subscribed to the channel")
            time.sleep(0.01)
        for other in (f"{channel}:more", channel_prefix + channel.removeprefix(channel_prefix).upper()):
            submission.call("notify_pubsub", other, "not for you", inject="redis")
        submission.call("notify_pubsub", channel, "for you", inject="redis")
        got = future.result()
    if got != ["for you"]:
        raise Mismatch("a listener received messages of other channels (or missed its own): subscribe to exactly "
                       "the channel, not to a pattern")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_paging_through_the_stream_one_by_one(submission, redis_db, seed):
    """reading one entry at a time after the last id read visits every entry exactly once"""
    rng = random.Random(f"{seed}:paging")
    stream = f"audit:{rng.getrandbits(32):08x}"
    ids = [redis_db.xadd(stream, {"message": f"m{i}"}) for i in range(rng.randint(5, 8))]
    seen, after = [], "0"
    for _ in range(len(ids) + 1):
        page = submission.call("read_stream", stream, after, 1, inject="redis")
        if not page:
            break
        seen += [entry_id for entry_id, _ in page]
        after = page[-1][0]
    if seen != ids:
        raise Mismatch("paging through the stream with count 1, each time after the last id read, did not visit "
                       "every entry exactly once, in order")
