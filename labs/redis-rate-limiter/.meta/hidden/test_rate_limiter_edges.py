"""Hidden checks for redis-rate-limiter: the edges where a plausible limiter goes wrong, on the hidden run.

Values of the hidden data are not quoted in feedback.
"""

import contextlib
import random

import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import Mismatch, SubmissionProblem


def verdicts(run, function):
    values = run.values()
    for got in values:
        if not (isinstance(got, list) and len(got) == 2 and isinstance(got[0], bool)):
            raise Mismatch(f"{function} should return a list [allowed, retry_after_ms]")
    return [got[0] for got in values]


@pytest.mark.task(1)
@pytest.mark.points(1)
@pytest.mark.parametrize("function", ["allow", "allow_sliding"])
def test_a_limit_of_one_under_concurrency(contenders, write_gate, redis_db, seed, function):
    """with a limit of 1, one of 10 requests made at the same moment is admitted"""
    user = f"solo-{random.Random(f'{seed}:{function}').getrandbits(32):08x}"
    workers = contenders(10)
    run = call_together(workers, function, [(user, 1, 60_000)] * len(workers), write_gate, inject="redis")
    admitted = sum(verdicts(run, function))
    if admitted != 1:
        raise Mismatch(f"{function}: {admitted} of {len(workers)} requests made at the same moment were admitted with "
                       "a limit of 1: the count must be taken and compared in one atomic step")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_users_that_differ_only_in_case_or_colons(submission, redis_db, seed):
    """users whose names differ only in case or by a ':' suffix are limited apart"""
    rng = random.Random(f"{seed}:names")
    base = f"user{rng.getrandbits(24):06x}"
    users = [base, base.upper(), f"{base}:2"]
    for user in users:
        for step in range(3):
            allowed, _ = submission.call("allow", user, 2, 60_000, inject="redis")
            if allowed != (step < 2):
                raise Mismatch("users whose names differ only in case or by a ':' suffix share a limit: "
                               "use the user name as it is in the key rate:{user}")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_a_crash_leaves_no_sliding_log_without_expiry(submission, redis_db, seed):
    """a process killed after Redis answered its first command of allow_sliding leaves no key that never expires"""
    rng = random.Random(f"{seed}:sliding-crash")
    for replies in (1, 2):
        user = f"crash-{rng.getrandbits(32):08x}"
        with contextlib.suppress(SubmissionProblem):
            submission.call("allow_sliding", user, 3, 60_000, inject="redis", crash_after_replies=replies)
        if any(redis_db.pttl(key) == -1 for key in redis_db.scan_iter(count=500)):
            raise Mismatch("a process that died in the middle of allow_sliding left a key without an expiry: "
                           "add the member and set the expiry in one step (a Lua script or MULTI)")
        got = submission.call("allow_sliding", user, 3, 60_000, inject="redis")
        if not isinstance(got, list) or got[:1] != [True]:
            raise Mismatch("after a process died in allow_sliding, the next request of that user was not admitted "
                           "although the user had made at most one")
