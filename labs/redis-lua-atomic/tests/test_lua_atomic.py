"""Public checks for redis-lua-atomic.

Each check makes its own keys and stock from `seed`. Concurrency: several processes of your module
call at once, released through a write gate (grader/checks/contenders.py), so a value read in one
command and written in another is stale on every run. KEYS/ARGV and script caching are judged by the
commands Redis executed (MONITOR).
"""

import random

import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import Mismatch
from grader.checks.redis_monitor import commands_seen

CONTENDERS = 12


def rng_for(seed, check):
    return random.Random(f"{seed}:{check}")


def new_key(rng, prefix):
    return f"{prefix}:{rng.getrandbits(40):010x}"


def cas(submission, key, expected, new):
    got = submission.call("compare_and_set", key, expected, new, inject="redis")
    if not isinstance(got, bool):
        raise Mismatch(f"compare_and_set should return True or False, not {got!r}")
    return got


def reserve(submission, item, quantity):
    got = submission.call("reserve", item, quantity, inject="redis")
    if not isinstance(got, int) or isinstance(got, bool):
        raise Mismatch(f"reserve should return the new stock or -1 (an int), not {got!r}")
    return got


def shown(value, variant):
    """A value of the generated data for feedback: quoted on the public run only."""
    return str(value) if variant == "public" else "(hidden)"


def scripts_in(seen):
    return [c for c in seen if c.name in ("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL")]


# 1. Compare-and-set ----------------------------------------------------------------------------

@pytest.mark.task(1)
@pytest.mark.points(2)
def test_compare_and_set(submission, redis_db, seed):
    """compare_and_set writes only when the value is the expected one (None: only when the key is absent)"""
    rng = rng_for(seed, "cas")
    key = new_key(rng, "config")
    first, second, third = (f"v{rng.getrandbits(20)}" for _ in range(3))
    steps = [(None, first, True), (None, second, False), (first, second, True), (first, third, False),
             (second, third, True)]
    for expected, new, should in steps:
        before = redis_db.get(key)
        if cas(submission, key, expected, new) is not should:
            state = "the expected one" if before == expected else "another"
            what = "the key did not exist" if before is None else f"the value was {state}"
            raise Mismatch(f"compare_and_set returned {not should} when {what} (expected "
                           f"{'None' if expected is None else 'a value'})")
        if redis_db.get(key) != (new if should else before):
            raise Mismatch("compare_and_set should set the new value exactly when it returns True")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_one_compare_and_set_wins(contenders, write_gate, redis_db, seed):
    """12 processes expecting the same value at once: exactly one sets its own"""
    rng = rng_for(seed, "cas-race")
    workers = contenders(CONTENDERS)
    for expected in (None, f"v{rng.getrandbits(20)}"):
        key = new_key(rng, "leader")
        if expected is not None:
            redis_db.set(key, expected)
        args = [(key, expected, f"w{i}-{rng.getrandbits(16)}") for i in range(len(workers))]
        run = call_together(workers, "compare_and_set", args, write_gate, inject="redis")
        won = [new for (_, _, new), got in zip(args, run.values(), strict=True) if got is True]
        if len(won) != 1:
            raise Mismatch(f"{len(won)} of {len(workers)} callers expecting the same value at the same moment got "
                           "True. Compare and set in one Lua script: a GET and a SET sent apart let every caller "
                           "that read the old value win")
        if redis_db.get(key) != won[0]:
            raise Mismatch("the key does not hold the value of the one caller that got True")


# 2. An inventory that never goes below zero ---------------------------------------------------

@pytest.mark.task(2)
@pytest.mark.points(2)
def test_reserve_takes_only_what_is_there(submission, redis_db, seed, variant):
    """reserve decrements when the stock suffices and returns the new stock, else -1 with nothing changed"""
    rng = rng_for(seed, "reserve")
    item = new_key(rng, "sku")
    stock = rng.randint(10, 15)
    redis_db.set(f"stock:{item}", stock)
    for quantity in (3, stock, 2, stock, 1, 1, 1, 1):
        want = stock - quantity if quantity <= stock else -1
        got = reserve(submission, item, quantity)
        if got != want:
            raise Mismatch(f"reserve of {shown(quantity, variant)} from a stock of {shown(stock, variant)} returned "
                           f"{shown(got, variant)}, not {shown(want, variant)}"
                           + (": compare numbers, not text (tonumber)" if want == -1 and got >= 0 else ""))
        if want != -1:
            stock = want
        if redis_db.get(f"stock:{item}") != str(stock):
            raise Mismatch("after reserve, stock:{item} does not hold the stock reserve reported"
                           + (" (a refused reserve must change nothing)" if want == -1 else ""))
    unknown = new_key(rng, "sku")
    if reserve(submission, unknown, 1) != -1 or redis_db.exists(f"stock:{unknown}"):
        raise Mismatch("reserve of an item without a stock key should return -1 and create nothing")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_stock_never_below_zero_under_concurrency(contenders, write_gate, redis_db, seed, variant):
    """12 processes reserving at once never take more than the stock"""
    rng = rng_for(seed, "reserve-race")
    workers = contenders(CONTENDERS)
    # every caller of a round asks for the same quantity: which one runs first must not change the outcome
    for quantities in ([1] * len(workers), [rng.randint(2, 3)] * len(workers)):
        item = new_key(rng, "sku")
        stock = sum(quantities) // 2 + 1
        redis_db.set(f"stock:{item}", stock)
        run = call_together(workers, "reserve", [(item, q) for q in quantities], write_gate, inject="redis")
        values = run.values()
        taken = sum(q for q, got in zip(quantities, values, strict=True) if got != -1)
        left = int(redis_db.get(f"stock:{item}") or 0)
        if left < 0 or taken > stock:
            raise Mismatch(f"{len(workers)} callers reserving at the same moment took {shown(taken, variant)} units "
                           f"of a stock of {shown(stock, variant)}, leaving {shown(left, variant)}: check and "
                           "decrement in one Lua script")
        if left != stock - taken:
            raise Mismatch(f"the reservations that succeeded add up to {shown(taken, variant)} units, but the stock "
                           f"went from {shown(stock, variant)} to {shown(left, variant)}")
        if taken < stock - max(quantities) + 1:
            raise Mismatch(f"callers were refused while {shown(left, variant)} units were left for them")


# 3. KEYS and ARGV ------------------------------------------------------------------------------

def expect_keys_declared(seen, key, function):
    scripts = scripts_in(seen)
    if not scripts:
        raise Mismatch(f"{function} ran no Lua script (EVAL or EVALSHA): write its logic as one script")
    for command in scripts:
        if len(command.args) < 2 or not command.args[1].isdigit():
            continue
        numkeys = int(command.args[1])
        if key not in command.args[2:2 + numkeys]:
            raise Mismatch(f"{function} ran a script without passing the key it works on in KEYS (numkeys "
                           f"{numkeys}): pass every key in KEYS and only values in ARGV, so that the server (and a "
                           "cluster) knows which keys the script touches")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_scripts_get_their_keys_in_keys(submission, redis_db, grading, variant, seed):
    """both scripts receive the key they touch in KEYS (seen in the commands Redis executed)"""
    rng = rng_for(seed, "keys")
    key, item = new_key(rng, "flag"), new_key(rng, "sku")
    redis_db.set(f"stock:{item}", 5)
    with commands_seen(grading.redis(variant)) as seen:
        cas(submission, key, None, "on")
    expect_keys_declared(seen, key, "compare_and_set")
    with commands_seen(grading.redis(variant)) as seen:
        reserve(submission, item, 2)
    expect_keys_declared(seen, f"stock:{item}", "reserve")


# 4. Script caching -----------------------------------------------------------------------------

@pytest.mark.task(4)
@pytest.mark.points(2)
def test_reserve_sends_only_the_sha_in_steady_state(submission, redis_db, grading, variant, seed):
    """after its first call, each reserve is one EVALSHA: the script text is not sent again"""
    rng = rng_for(seed, "evalsha")
    item = new_key(rng, "sku")
    redis_db.set(f"stock:{item}", 50)
    reserve(submission, item, 1)
    with commands_seen(grading.redis(variant)) as seen:
        for _ in range(3):
            reserve(submission, item, 1)
    names = [c.name for c in seen if not c.from_script]
    if "EVAL" in names or "SCRIPT" in names:
        raise Mismatch("reserve sent its script's text again although the server already had it: call it by its "
                       "SHA1 with EVALSHA (r.register_script does, and reloads it only after NOSCRIPT)")
    if names.count("EVALSHA") != 3:
        raise Mismatch(f"three calls of reserve ran {names.count('EVALSHA')} EVALSHA commands: each call should be "
                       "one EVALSHA of the cached script")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_reserve_survives_an_emptied_script_cache(redis_wire, redis_db, seed):
    """after the server's script cache was emptied (EVALSHA answered NOSCRIPT), reserve loads its script again
    and still works"""
    rng = rng_for(seed, "noscript")
    item = new_key(rng, "sku")
    redis_db.set(f"stock:{item}", 20)
    reserve(redis_wire.submission, item, 2)
    # as after SCRIPT FLUSH or a server restart, but for this run only: the script cache is the whole server's
    with redis_wire.emptied_script_cache():
        got = reserve(redis_wire.submission, item, 3)
    if got != 15:
        raise Mismatch(f"after the server's script cache was emptied, reserve of 3 from a stock of 18 returned {got}")
