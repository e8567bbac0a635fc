"""Public checks for redis-rate-limiter.

Each check makes its own users and limits from `seed`. Concurrency: several processes of your module
call at once, released through a write gate (grader/checks/contenders.py), so a count read before it
is written is stale on every run. Crashes: a process is killed after Redis answered its first command.
Time: windows of a few hundred milliseconds run out on the server; a check that finds its own timing
off (a very busy machine) runs its scenario again with a new user.
"""

import contextlib
import random
import time

import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem

CONTENDERS = 10


def rng_for(seed, check):
    return random.Random(f"{seed}:{check}")


def new_user(rng):
    return f"{rng.choice(['ada', 'bo', 'chen', 'dara', 'emil'])}-{rng.getrandbits(32):08x}"


def shown(value, variant):
    """A value of the generated data for feedback: quoted on the public run only."""
    return str(value) if variant == "public" else "(hidden)"


def decision(got, call):
    if (not isinstance(got, list) or len(got) != 2 or not isinstance(got[0], bool)
            or not isinstance(got[1], int) or isinstance(got[1], bool)):
        raise Mismatch(f"{call} should return a list [allowed, retry_after_ms] (a bool and an int), not {got!r}")
    return got


def admitted_under_contention(contenders, write_gate, function, users, limits, window_ms, rounds):
    """Gated rounds of calls, worker i asking for users[i % len(users)]; how many each user got admitted."""
    workers = contenders(CONTENDERS)
    admitted = dict.fromkeys(users, 0)
    for _ in range(rounds):
        args = [(users[i % len(users)], limits[i % len(users)], window_ms) for i in range(len(workers))]
        run = call_together(workers, function, args, write_gate, inject="redis")
        for (user, _, _), got in zip(args, run.values(), strict=True):
            admitted[user] += decision(got, function)[0]
    return admitted


def expect_exact(admitted, users, limits, function, calls_each, variant):
    for user, limit in zip(users, limits, strict=True):
        got = admitted[user]
        if got > limit:
            raise Mismatch(f"{function}: {shown(got, variant)} of {calls_each} requests made at the same moments were "
                           f"admitted for one user, over the limit of {shown(limit, variant)}. Count and decide in "
                           "one atomic step (INCR returns the new count; a Lua script runs as one), and keep the "
                           "count in Redis, not per process")
        if got < limit:
            raise Mismatch(f"{function}: only {shown(got, variant)} of {calls_each} requests made at the same moments "
                           f"were admitted for one user, under the limit of {shown(limit, variant)}")


def keys_without_expiry(redis_db):
    return [key for key in redis_db.scan_iter(count=500) if redis_db.pttl(key) == -1]


# 1. A fixed window per user ---------------------------------------------------------------------

@pytest.mark.task(1)
@pytest.mark.points(1)
def test_admits_the_limit_then_rejects(submission, redis_db, seed, variant):
    """allow admits `limit` requests per user and window, then rejects; users are counted apart"""
    rng = rng_for(seed, "sequential")
    users = [new_user(rng) for _ in range(2)]
    limits = [rng.randint(3, 6), rng.randint(7, 9)]
    window = 60_000
    for step in range(max(limits) + 2):
        for user, limit in zip(users, limits, strict=True):
            allowed, retry = decision(submission.call("allow", user, limit, window, inject="redis"), "allow")
            if step < limit and (allowed, retry) != (True, 0):
                raise Mismatch(f"allow rejected request {step + 1} of a user whose limit is "
                               f"{shown(limit, variant)} (or did not return [True, 0] for it): got {[allowed, retry]}")
            if step >= limit and (allowed or not 0 < retry <= window):
                raise Mismatch(f"allow returned {[allowed, retry]} for request {step + 1} of a user whose limit is "
                               f"{shown(limit, variant)}: it should be rejected, with 0 < retry_after_ms <= {window}")
    for user in users:
        key = f"rate:{user}"
        if redis_db.type(key) != "string":
            raise Mismatch(f"the counter should be the string key rate:{{user}}, found {redis_db.type(key)!r}")
        if not 0 < redis_db.pttl(key) <= window:
            raise Mismatch("rate:{user} should expire when its window ends (PX window_ms when it is created)")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_exactly_the_limit_under_concurrency(contenders, write_gate, redis_db, seed, variant):
    """200 requests from 10 processes at once: exactly the limit is admitted, per user"""
    rng = rng_for(seed, "concurrent")
    users = [new_user(rng) for _ in range(2)]
    limits = [rng.choice([37, 41, 43, 46, 48]), rng.choice([52, 58, 61, 67])]
    admitted = admitted_under_contention(contenders, write_gate, "allow", users, limits, 60_000, rounds=20)
    expect_exact(admitted, users, limits, "allow", 100, variant)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_crash_leaves_no_counter_without_expiry(submission, redis_db, seed):
    """a process killed after Redis answered its first command leaves no counter that never expires"""
    rng = rng_for(seed, "crash")
    for _ in range(3):
        user = new_user(rng)
        with contextlib.suppress(SubmissionProblem):  # the process dies, as this check intends
            submission.call("allow", user, 5, 60_000, inject="redis", crash_after_replies=1)
        if keys_without_expiry(redis_db):
            raise Mismatch("a process that died right after Redis answered its first command of allow() left a counter "
                           "without an expiry: that user is now limited forever. Create the counter with its expiry "
                           "in one command (SET key 0 NX PX window, then INCR) or run INCR and PEXPIRE in one Lua "
                           "script or MULTI transaction")
        allowed, _ = decision(submission.call("allow", user, 5, 60_000, inject="redis"), "allow")
        if not allowed:
            raise Mismatch("after a process died in allow(), the next request of that user was rejected although "
                           "the user had made at most one")


# 2. Retry-After ---------------------------------------------------------------------------------

@pytest.mark.task(2)
@pytest.mark.points(1)
def test_the_window_ends_on_the_server(submission, redis_db, seed):
    """after retry_after_ms, a rejected user is admitted again (a 300 ms window)"""
    window = 300

    def scenario(user):
        started = time.monotonic()
        for _ in range(2):
            decision(submission.call("allow", user, 2, window, inject="redis"), "allow")
        allowed, retry = decision(submission.call("allow", user, 2, window, inject="redis"), "allow")
        if time.monotonic() > started + (window - 60) / 1000:
            return False  # the window may have ended before the third request: not a fair test
        if allowed:
            raise Mismatch("allow admitted a third request in a window whose limit is 2")
        if not 0 < retry <= window:
            raise Mismatch(f"a rejected request got retry_after_ms {retry}, not between 1 and the window ({window} "
                           "ms): it is the counter's remaining lifetime (PTTL). A counter without an expiry has none")
        time.sleep(retry / 1000 + 0.05)
        allowed, _ = decision(submission.call("allow", user, 2, window, inject="redis"), "allow")
        if not allowed:
            raise Mismatch("a request made after retry_after_ms had passed was rejected: the window should have "
                           "ended (the counter expires with it)")
        return True

    timed_scenario(scenario, rng_for(seed, "expiry"))


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_retry_after_is_the_time_left(submission, redis_db, seed):
    """retry_after_ms is the time left in the window, and later requests do not extend it"""
    rng = rng_for(seed, "retry")
    user, window, waited = new_user(rng), 3_000, 0.4
    decision(submission.call("allow", user, 1, window, inject="redis"), "allow")
    time.sleep(waited)
    allowed, retry = decision(submission.call("allow", user, 1, window, inject="redis"), "allow")
    left = redis_db.pttl(f"rate:{user}")
    if allowed:
        raise Mismatch("allow admitted a second request in a window whose limit is 1")
    if left > window - 300:
        raise Mismatch(f"{waited:g} s into a {window} ms window the counter still had {left} ms to live: a later "
                       "request pushed its expiry forward. Set the expiry only when the counter is created")
    if not left <= retry <= window - 300:
        raise Mismatch(f"{waited:g} s into a {window} ms window, retry_after_ms was {retry}: it should be the time "
                       f"left in the window (about {left} ms, the counter's PTTL)")


# 3. A sliding window per user -------------------------------------------------------------------

def call_sliding(submission, user, limit, window):
    return decision(submission.call("allow_sliding", user, limit, window, inject="redis"), "allow_sliding")


def timed_scenario(scenario, rng):
    """Run a scenario with a fresh user until its own timing held (it returns True), at most three times."""
    for _ in range(3):
        if scenario(new_user(rng)):
            return
    raise GraderFault("the machine was too busy to keep the timing this check needs, three times; run it again")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_sliding_window_counts_the_last_window_only(submission, redis_db, seed):
    """a request is admitted when fewer than `limit` were admitted in the last window_ms, not per fixed window"""
    window = 1.0

    def scenario(user):
        first = call_sliding(submission, user, 3, 1000)
        first_done = time.monotonic()
        time.sleep(0.4)
        second_start = time.monotonic()
        second = [call_sliding(submission, user, 3, 1000) for _ in range(2)]
        if [first[0], *(s[0] for s in second)] != [True, True, True]:
            raise Mismatch("allow_sliding rejected one of a user's first 3 requests with a limit of 3")
        time.sleep(max(0.0, first_done + window + 0.08 - time.monotonic()))
        after = [call_sliding(submission, user, 3, 1000) for _ in range(2)]
        if time.monotonic() > second_start + window - 0.08:
            return False
        if not after[0][0]:
            raise Mismatch("once the first request was older than the window, a new request was rejected although "
                           "only 2 of the limit of 3 were admitted in the last window_ms")
        if after[1][0]:
            raise Mismatch("allow_sliding admitted a 4th request within one window_ms (limit 3): the window slides "
                           "with each request, it does not restart after window_ms like a fixed window")
        if not 0 < after[1][1] <= 1000:
            raise Mismatch(f"a rejected request got retry_after_ms {after[1][1]}: it should be the time until the "
                           "oldest admitted request in the window leaves it")
        return True

    timed_scenario(scenario, rng_for(seed, "sliding"))


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_rejected_requests_are_not_recorded(submission, redis_db, seed):
    """rejected requests do not count: once the admitted ones leave the window, a request is admitted"""
    window = 0.8

    def scenario(user):
        admitted_start = time.monotonic()
        for _ in range(2):
            call_sliding(submission, user, 2, 800)
        admitted_done = time.monotonic()
        time.sleep(0.3)
        rejected_start = time.monotonic()
        rejected = [call_sliding(submission, user, 2, 800)[0] for _ in range(2)]
        if time.monotonic() > admitted_start + window - 0.08:
            return False  # the first requests may have left the window already: not a fair test
        if any(rejected):
            raise Mismatch("allow_sliding admitted a 3rd request within one window_ms (limit 2)")
        time.sleep(max(0.0, admitted_done + window + 0.08 - time.monotonic()))
        allowed, _ = call_sliding(submission, user, 2, 800)
        if time.monotonic() > rejected_start + window - 0.08:
            return False
        members = redis_db.zcard(f"rate:sliding:{user}") if redis_db.type(f"rate:sliding:{user}") == "zset" else 0
        if not allowed:
            raise Mismatch("after the admitted requests left the window, a request was rejected: rejected requests "
                           "must not be recorded in the sorted set (add a member only when admitting)")
        if members != 1:
            raise Mismatch(f"rate:sliding:{{user}} holds {members} members where exactly 1 admitted request is in the "
                           "window: drop members older than the window and record only admitted requests")
        return True

    timed_scenario(scenario, rng_for(seed, "rejected"))


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_sliding_log_is_a_sorted_set_that_expires(submission, redis_db, seed):
    """the admitted requests are members of rate:sliding:{user}, scored in ms of server time, with an expiry"""
    rng = rng_for(seed, "layout")
    user, window = new_user(rng), 30_000
    count = rng.randint(3, 6)
    for _ in range(count + 2):
        call_sliding(submission, user, count, window)
    key = f"rate:sliding:{user}"
    if redis_db.type(key) != "zset":
        raise Mismatch("the admitted requests should be in the sorted set rate:sliding:{user}, "
                       f"found {redis_db.type(key)!r}")
    entries = redis_db.zrange(key, 0, -1, withscores=True)
    seconds, micros = redis_db.time()
    now_ms = seconds * 1000 + micros // 1000
    if len(entries) != count:
        raise Mismatch(f"rate:sliding:{{user}} holds {len(entries)} members after {count} admitted and 2 rejected "
                       "requests: one unique member per admitted request")
    if not all(now_ms - 10_000 <= score <= now_ms + 1 for _, score in entries):
        raise Mismatch("the scores of rate:sliding:{user} are not the request times in milliseconds of the server's "
                       "clock (TIME)")
    if not 0 < redis_db.pttl(key) <= window:
        raise Mismatch("rate:sliding:{user} should expire window_ms after the last admitted request")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_sliding_exactly_the_limit_under_concurrency(contenders, write_gate, redis_db, seed, variant):
    """60 requests from 10 processes at once: exactly the limit is admitted, per user"""
    rng = rng_for(seed, "sliding-concurrent")
    users = [new_user(rng) for _ in range(2)]
    limits = [rng.choice([11, 13, 17]), rng.choice([19, 22, 23])]
    admitted = admitted_under_contention(contenders, write_gate, "allow_sliding", users, limits, 60_000, rounds=6)
    expect_exact(admitted, users, limits, "allow_sliding", 30, variant)
