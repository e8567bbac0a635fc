"""Public checks for redis-distributed-lock.

Each check makes its own lock names from `seed`. Concurrency: several processes of your module call
`acquire` at once, released through a write gate (grader/checks/contenders.py), so a lock that is
read before it is set is seen free by all of them on every run. Crashes: the process holding a lock
is killed. Time: locks of a few hundred milliseconds expire on the server. Atomicity of `release` is
judged by the commands Redis executed (MONITOR), not by reading your code.
"""

import random
import re
import time

import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import Mismatch
from grader.checks.redis_monitor import commands_seen

TOKEN = re.compile(r"[0-9a-fA-F]{16,}|[0-9a-zA-Z_\-]{22,}")


def rng_for(seed, check):
    return random.Random(f"{seed}:{check}")


def new_name(rng):
    return f"{rng.choice(['report', 'billing', 'migrate', 'export'])}-{rng.getrandbits(32):08x}"


def acquired(got, call="acquire"):
    """[token, fence] from acquire, or None; anything else is the learner's mistake."""
    if got is None:
        return None
    if (not isinstance(got, list) or len(got) != 2 or not isinstance(got[0], str)
            or not isinstance(got[1], int) or isinstance(got[1], bool)):
        raise Mismatch(f"{call} should return [token, fence] (a str and an int) or None, not {got!r}")
    return got


def take(worker, name, ttl_ms):
    return acquired(worker.call("acquire", name, ttl_ms, inject="redis"))


def must_take(worker, name, ttl_ms, situation="for a lock nobody holds"):
    got = take(worker, name, ttl_ms)
    if got is None:
        raise Mismatch(f"acquire returned None {situation}")
    return got


def wait_until_gone(redis_db, key, limit_s=3.0):
    left = redis_db.pttl(key)
    if left > 0:
        time.sleep(min(limit_s, left / 1000 + 0.03))


# 1. Acquire ------------------------------------------------------------------------------------

@pytest.mark.task(1)
@pytest.mark.points(1)
def test_acquire_sets_a_random_token_with_an_expiry(submission, redis_db, seed):
    """acquire stores a new random token at lock:{name} with the given lifetime; a held lock is refused"""
    rng = rng_for(seed, "acquire")
    tokens = set()
    for _ in range(3):
        name, ttl = new_name(rng), rng.randint(5_000, 60_000)
        got = take(submission, name, ttl)
        if got is None:
            raise Mismatch("acquire returned None for a lock nobody holds")
        token, _ = got
        if redis_db.type(f"lock:{name}") != "string" or redis_db.get(f"lock:{name}") != token:
            raise Mismatch("after acquire, lock:{name} should be a string holding the token acquire returned")
        if not TOKEN.fullmatch(token):
            raise Mismatch(f"the token {token!r} is not random enough: use at least 16 random hex digits "
                           "(secrets.token_hex(16)), new for every acquisition")
        tokens.add(token)
        if not 0 < redis_db.pttl(f"lock:{name}") <= ttl:
            raise Mismatch(f"lock:{{name}} should expire after ttl_ms ({ttl} ms): SET ... NX PX ttl_ms")
        if take(submission, name, ttl) is not None:
            raise Mismatch("acquire returned a token for a lock that was already held")
        if redis_db.get(f"lock:{name}") != token:
            raise Mismatch("a refused acquire changed the holder's lock:{name}: "
                           "SET with NX leaves an existing key alone")
    if len(tokens) != 3:
        raise Mismatch("acquire handed out the same token for different acquisitions: make a new random one each time")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_one_winner_among_processes_at_once(contenders, write_gate, redis_db, seed):
    """12 processes calling acquire at the same moment: exactly one gets the lock"""
    rng = rng_for(seed, "race")
    workers = contenders(12)
    for _ in range(3):
        name = new_name(rng)
        run = call_together(workers, "acquire", [(name, 30_000)] * len(workers), write_gate, inject="redis")
        winners = [got for got in map(acquired, run.values()) if got is not None]
        if len(winners) != 1:
            raise Mismatch(f"{len(winners)} of {len(workers)} processes calling acquire at the same moment got the "
                           "lock. Take it with one atomic command, SET lock:{name} token NX PX ttl_ms: reading the "
                           "key first and setting it when it was empty lets every process that read it empty win")
        if redis_db.get(f"lock:{name}") != winners[0][0]:
            raise Mismatch("lock:{name} does not hold the token of the process that got the lock")


# 2. Expiry -------------------------------------------------------------------------------------

@pytest.mark.task(2)
@pytest.mark.points(2)
def test_a_crashed_holders_lock_expires(contenders, redis_db, seed):
    """the lock of a process killed while holding it expires after ttl_ms, and can then be taken"""
    rng = rng_for(seed, "crash")
    holder, other = contenders(2)
    name, ttl = new_name(rng), 1_000
    started = time.monotonic()
    must_take(holder, name, ttl)
    holder.close()  # the holder dies without releasing
    if take(other, name, ttl) is not None and time.monotonic() < started + (ttl - 100) / 1000:
        raise Mismatch("another process got the lock while its holder's ttl had not run out")
    if redis_db.pttl(f"lock:{name}") == -1:
        raise Mismatch("lock:{name} has no expiry: when its holder crashes, nobody can ever take it again. "
                       "SET it with PX ttl_ms")
    wait_until_gone(redis_db, f"lock:{name}")
    if redis_db.get(f"lock:{name}") is None and take(other, name, ttl) is None:
        raise Mismatch("after the crashed holder's ttl ran out, acquire still returned None")


# 3. Release ------------------------------------------------------------------------------------

def release(worker, name, token):
    got = worker.call("release", name, token, inject="redis")
    if not isinstance(got, bool):
        raise Mismatch(f"release should return True or False, not {got!r}")
    return got


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_release_deletes_only_with_the_token(submission, redis_db, seed):
    """release with the holder's token deletes the lock; with another token it returns False and keeps it"""
    rng = rng_for(seed, "release")
    name = new_name(rng)
    token, _ = must_take(submission, name, 30_000)
    if release(submission, name, f"{rng.getrandbits(128):032x}"):
        raise Mismatch("release with a token that is not the holder's returned True")
    if redis_db.get(f"lock:{name}") != token:
        raise Mismatch("release with a token that is not the holder's deleted the lock: compare the token first")
    if not release(submission, name, token):
        raise Mismatch("release with the holder's token returned False")
    if redis_db.exists(f"lock:{name}"):
        raise Mismatch("release with the holder's token did not delete lock:{name}")
    if release(submission, name, token):
        raise Mismatch("releasing a lock that is no longer held returned True")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_a_late_release_keeps_the_new_holders_lock(contenders, redis_db, seed):
    """a holder whose lock expired and was taken by another cannot release the other's lock"""
    rng = rng_for(seed, "late")
    first, second = contenders(2)
    name = new_name(rng)
    old_token, _ = must_take(first, name, 250)
    wait_until_gone(redis_db, f"lock:{name}")
    got = must_take(second, name, 30_000, "after the lock's ttl ran out (does it expire?)")
    if release(first, name, old_token) or redis_db.get(f"lock:{name}") != got[0]:
        raise Mismatch("the first holder, whose lock had expired, released the lock the second holder had just "
                       "taken. Delete the key only if it still holds your token (a Lua script comparing and deleting)")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_release_is_one_atomic_step(submission, redis_db, grading, variant, seed):
    """release compares and deletes on the server in one step (seen in the commands Redis executed)"""
    rng = rng_for(seed, "atomic")
    name = new_name(rng)
    token, _ = must_take(submission, name, 30_000)
    with commands_seen(grading.redis(variant)) as seen:
        release(submission, name, token)
    deletes = [c for c in seen if c.name in ("DEL", "UNLINK")]
    if not deletes:
        raise Mismatch("release did not delete lock:{name} with DEL")
    in_transaction = any(c.name in ("MULTI", "EXEC") for c in seen)
    if not in_transaction and any(not c.from_script for c in deletes):
        raise Mismatch("release sent DEL as a command of its own, after reading the key in another command: the lock "
                       "can expire and be taken by someone else between the two, and your DEL deletes their lock. "
                       "Compare and delete in one Lua script (EVAL / register_script)")


# 4. Fencing ------------------------------------------------------------------------------------

def write(worker, resource, fence, value):
    got = worker.call("write_fenced", resource, fence, value, inject="redis")
    if not isinstance(got, bool):
        raise Mismatch(f"write_fenced should return True or False, not {got!r}")
    return got


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_fences_grow_with_every_acquisition(submission, redis_db, seed):
    """each successful acquire returns the next value of fence:{name}; a refused one takes none"""
    rng = rng_for(seed, "fences")
    name = new_name(rng)
    fences = []
    for _ in range(4):
        token, fence = must_take(submission, name, 30_000, "for a lock that was released")
        fences.append(fence)
        if take(submission, name, 30_000) is not None:
            raise Mismatch("acquire returned a token for a lock that was already held")
        release(submission, name, token)
    if fences != list(range(fences[0], fences[0] + 4)) or redis_db.get(f"fence:{name}") != str(fences[-1]):
        raise Mismatch(f"four acquisitions in a row returned the fences {fences}: each should be the next value of "
                       "fence:{name} (INCR), and a refused acquire should not take one")


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_the_resource_refuses_an_older_fence(contenders, redis_db, seed):
    """a holder whose lock expired writes with an older fence than the new holder's: the write is refused"""
    rng = rng_for(seed, "fenced")
    first, second = contenders(2)
    name, resource = new_name(rng), f"doc-{rng.getrandbits(24):06x}"
    _, old_fence = must_take(first, name, 250)
    if not write(first, resource, old_fence, "first"):
        raise Mismatch("write_fenced refused the first write to a resource")
    wait_until_gone(redis_db, f"lock:{name}")
    _, new_fence = must_take(second, name, 30_000, "after the lock's ttl ran out (does it expire?)")
    if new_fence <= old_fence:
        raise Mismatch("the second holder's fence is not larger than the first's: INCR fence:{name} on every acquire")
    for value in ("second", "second again"):
        if not write(second, resource, new_fence, value):
            raise Mismatch("write_fenced refused a write with the largest fence so far (a holder may write more than "
                           "once with its fence)")
    if write(first, resource, old_fence, "late"):
        raise Mismatch("write_fenced accepted a write with an older fence than one it had accepted: the holder "
                       "whose lock expired overwrote the new holder's data")
    stored = redis_db.hgetall(f"resource:{resource}")
    if stored != {"fence": str(new_fence), "value": "second again"}:
        raise Mismatch("resource:{resource} should hold the fields fence and value of the last accepted write")
