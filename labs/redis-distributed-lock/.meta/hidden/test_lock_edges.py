"""Hidden checks for redis-distributed-lock: the edges where a plausible lock goes wrong, on the hidden run.

Values of the hidden data are not quoted in feedback.
"""

import random
import time

import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import Mismatch


def name_for(seed, label):
    return f"{label}-{random.Random(f'{seed}:{label}').getrandbits(32):08x}"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_locks_whose_names_share_a_prefix(submission, redis_db, seed):
    """locks named 'x' and 'x:y' are two locks"""
    name = name_for(seed, "prefix")
    for lock in (name, f"{name}:part", name.upper()):
        if submission.call("acquire", lock, 30_000, inject="redis") is None:
            raise Mismatch("acquire refused a lock because another lock whose name shares a prefix (or differs only "
                           "in case) was held: use the name as it is in lock:{name}")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_one_winner_again_after_expiry(contenders, write_gate, redis_db, seed):
    """after the lock expires, processes calling acquire at once again get exactly one winner"""
    name = name_for(seed, "again")
    workers = contenders(12)
    for _ in range(2):
        run = call_together(workers, "acquire", [(name, 200)] * len(workers), write_gate, inject="redis")
        winners = [got for got in run.values() if got is not None]
        if len(winners) != 1:
            raise Mismatch(f"{len(winners)} of {len(workers)} processes calling acquire at the same moment "
                           "got the lock")
        time.sleep(max(0, redis_db.pttl(f"lock:{name}")) / 1000 + 0.03)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_fences_compare_as_numbers(submission, redis_db, seed):
    """fence 10 is newer than fence 9 (numbers, not text)"""
    resource = name_for(seed, "numbers")
    steps = [(9, True), (10, True), (9, False), (100, True), (11, False), (100, True)]
    for fence, accepted in steps:
        got = submission.call("write_fenced", resource, fence, f"v{fence}", inject="redis")
        if got is not accepted:
            raise Mismatch("write_fenced accepted or refused a write as if fences were text: compare them as "
                           "numbers (tonumber in Lua), so that 10 is newer than 9")
