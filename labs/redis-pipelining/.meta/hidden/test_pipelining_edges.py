"""Hidden checks for redis-pipelining: the edges of each batch, on the hidden run only.

Values of the hidden data are not quoted in feedback; round trips are counted on the wire as in the
public checks (grader/checks/redis_wire.py).
"""

import random

import pytest

from grader.checks.problems import Mismatch


def rng_for(seed, check):
    return random.Random(f"{seed}:hidden:{check}")


def call(redis_wire, function, *args):
    with redis_wire.watch() as traffic:
        value = redis_wire.submission.call(function, *args, inject="redis")
    if traffic.unreadable:
        raise Mismatch(f"{function}: the grader could not follow your Redis connection: {traffic.unreadable}")
    return value, traffic


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_one_profile_and_a_profile_loaded_twice(redis_wire, redis_db, seed):
    """a single profile is one round trip; loading a profile again with fewer fields drops the others"""
    rng = rng_for(seed, "profile-twice")
    user_id = f"Zoë {rng.getrandbits(20):05x}"
    full = {"name": "Zoë", "city": "Zürich", "bio": f"café {rng.getrandbits(8)}", "age": str(rng.randint(18, 80))}
    _, traffic = call(redis_wire, "load_profiles", {user_id: full})
    if traffic.more_than(2):
        raise Mismatch("load_profiles of one profile made more than 2 round trips: queue it on a pipeline "
                       "(or one HSET with a mapping)")
    fewer = {"name": full["name"], "city": "Lisboa"}
    call(redis_wire, "load_profiles", {user_id: fewer})
    if redis_db.hgetall(f"profile:{user_id}") != fewer:
        raise Mismatch("loading a profile again with fewer fields left the old fields in its hash: a profile "
                       "replaces the one stored before (DEL it in the same pipeline, before the HSET)")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_only_missing_keys_and_one_key(redis_wire, redis_db, seed):
    """keys that all are missing give as many None; a single key gives a list of one value"""
    rng = rng_for(seed, "missing")
    absent = [f"nobody {rng.getrandbits(24):06x}" for _ in range(rng.randint(3, 9))]
    got, _ = call(redis_wire, "get_many", absent)
    if got != [None] * len(absent):
        raise Mismatch("get_many of keys that all are missing should return one None per key")
    key = f"solo:José {rng.getrandbits(16):04x}"
    redis_db.set(key, "olá")
    got, traffic = call(redis_wire, "get_many", [key])
    if got != ["olá"]:
        raise Mismatch("get_many of one existing key should return a list holding its value")
    if traffic.more_than(2):
        raise Mismatch("get_many of one key made more than 2 round trips")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_rank_ties_and_a_user_only_on_the_leaderboard(redis_wire, redis_db, seed):
    """a user with only a leaderboard score gets zeros elsewhere and the rank ZREVRANK gives"""
    rng = rng_for(seed, "rank")
    user_id = f"李雷 {rng.getrandbits(20):05x}"
    score = rng.randint(10, 99)
    redis_db.zadd("leaderboard", {user_id: score, f"a {user_id}": score, "top": 1000})
    got, _ = call(redis_wire, "dashboard", user_id)
    want = {"visits": 0, "profile": {}, "recent": [], "friends": 0,
            "rank": redis_db.zrevrank("leaderboard", user_id)}
    if got != want:
        raise Mismatch("dashboard of a user found only on the leaderboard is wrong: visits 0, profile {}, "
                       "recent [], friends 0, and the rank ZREVRANK gives (0 is the top, ties as Redis orders them)")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_exact_multiples_and_a_chunk_larger_than_the_batch(redis_wire, redis_db, seed):
    """events an exact multiple of chunk_size need no extra round trip; a chunk_size above the count sends one"""
    rng = rng_for(seed, "multiples")
    chunk_size = rng.choice([100, 150, 200])
    count = chunk_size * rng.randint(3, 5)
    events = [[f"ev {index} ü", f"p{index}"] for index in range(count)]
    got, traffic = call(redis_wire, "store_events", events, chunk_size)
    if got != count or redis_db.get(f"event:ev {count - 1} ü") != f"p{count - 1}":
        raise Mismatch("store_events of an exact multiple of chunk_size did not store every event")
    if traffic.largest() > chunk_size or traffic.more_than(count // chunk_size + 1):
        raise Mismatch("store_events of an exact multiple of chunk_size sent more per round trip than chunk_size, "
                       "or more round trips than needed (an empty last chunk sends nothing)")
    few = [[f"few {index}", "x"] for index in range(rng.randint(3, 20))]
    got, traffic = call(redis_wire, "store_events", few, len(few) + rng.randint(1, 50))
    if got != len(few) or traffic.more_than(2):
        raise Mismatch("store_events with a chunk_size larger than the batch should store every event in one "
                       "round trip")
