"""Public checks for redis-pipelining.

Your module runs in a worker whose Redis connection passes through the grader's proxy, which counts
the commands and round trips that cross it (grader/checks/redis_wire.py): a round trip begins when
your client sends while it has every reply it asked for. Nothing here is timed. The data (ids with
spaces and accents, missing keys, sizes) comes from `seed`, different on the hidden run.
"""

import math
import random

import pytest

from grader.checks.problems import Mismatch

NAMES = ["ana maria", "Zoë", "José", "Łukasz", "李雷", "o'brien", "Ngozi", "Åsa", "mary jane", "bob"]
CITIES = ["Lisboa", "Kraków", "São Paulo", "Zürich", "Lagos", "New York"]
EVENT_TTL_S = 86400


def rng_for(seed, check):
    return random.Random(f"{seed}:{check}")


def new_ids(rng, count):
    """Distinct ids that read like names: spaces, accents and other scripts included."""
    ids = []
    while len(ids) < count:
        candidate = f"{rng.choice(NAMES)} {rng.getrandbits(20):05x}"
        if candidate not in ids:
            ids.append(candidate)
    return ids


def new_profile(rng):
    profile = {"name": rng.choice(NAMES).title(), "city": rng.choice(CITIES), "age": str(rng.randint(18, 90))}
    if rng.random() < 0.5:
        profile["bio"] = f"likes {rng.choice(['tea', 'café', 'chess', 'jazz'])} and {rng.choice(CITIES)}"
    return profile


def shown(value, variant):
    """A value of the generated data for feedback: quoted on the public run only."""
    return repr(value) if variant == "public" else "(hidden)"


def many(count, noun, variant):
    """'for 120 profiles' on the public run; the hidden run's sizes are not shown."""
    return f"for {count} {noun}" if variant == "public" else f"for all the {noun}"


def call(redis_wire, function, *args):
    """Call the learner's function through the proxy; returns its value and what crossed the wire."""
    with redis_wire.watch() as traffic:
        value = redis_wire.submission.call(function, *args, inject="redis")
    if traffic.unreadable:
        raise Mismatch(f"{function}: the grader could not follow your Redis connection: {traffic.unreadable}")
    return value, traffic


def expect_round_trips(traffic, allowed, function, what, how, variant):
    """At most `allowed` round trips: the ideal plus one, as a pipeline's send can be counted twice."""
    if traffic.more_than(allowed):
        made = len(traffic.round_trips) if variant == "public" else f"more than {allowed}"
        raise Mismatch(f"{function} made {made} round trips to Redis {what}: {how} does it in "
                       f"{max(allowed - 1, 1)} (the checks allow {allowed})")


def expect_nothing_sent(traffic, function, empty):
    if traffic.round_trips:
        names = ", ".join(sorted({c.name for c in traffic.commands}))
        raise Mismatch(f"{function} with {empty} sent {names} to Redis: with nothing to do, send nothing")


# 1. Load many profiles in one round trip -----------------------------------------------------

def stored_profiles(redis_db, ids):
    pipe = redis_db.pipeline(transaction=False)
    for user_id in ids:
        pipe.hgetall(f"profile:{user_id}")
    return dict(zip(ids, pipe.execute(), strict=True))


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_profiles_are_stored_as_hashes(redis_wire, redis_db, seed, variant):
    """every profile is the hash profile:{id}, replacing the old one; a profile without fields leaves no key"""
    rng = rng_for(seed, "profiles")
    ids = new_ids(rng, rng.randint(90, 140))
    profiles = {user_id: new_profile(rng) for user_id in ids}
    replaced, emptied = ids[3], ids[7]
    redis_db.hset(f"profile:{replaced}", mapping={"name": "old", "nickname": "stale", "phone": "000"})
    redis_db.hset(f"profile:{emptied}", mapping={"name": "gone"})
    profiles[emptied] = {}
    got, _ = call(redis_wire, "load_profiles", profiles)
    if got != len(profiles):
        raise Mismatch(f"load_profiles returned {shown(got, variant)}, not the number of profiles given "
                       f"({shown(len(profiles), variant)})")
    stored = stored_profiles(redis_db, ids)
    for user_id in ids:
        if stored[user_id] != profiles[user_id]:
            what = ("a profile with no fields should leave no key (Redis keeps no empty hash)" if user_id == emptied
                    else "a profile replaces the one stored before: fields it lacks must be gone"
                    if user_id == replaced else "a profile should be stored field for field")
            raise Mismatch(f"profile:{shown(user_id, variant)} holds {shown(stored[user_id], variant)}, not "
                           f"{shown(profiles[user_id], variant)}: {what}")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_profiles_load_in_one_round_trip(redis_wire, redis_db, seed, variant):
    """load_profiles sends every profile in one round trip, and nothing for no profiles"""
    rng = rng_for(seed, "profiles-trips")
    ids = new_ids(rng, rng.randint(60, 100))
    _, traffic = call(redis_wire, "load_profiles", {user_id: new_profile(rng) for user_id in ids})
    expect_round_trips(traffic, 2, "load_profiles", many(len(ids), "profiles", variant),
                       "one pipeline (an HSET with a mapping for each profile, executed once)", variant)
    got, traffic = call(redis_wire, "load_profiles", {})
    if got != 0:
        raise Mismatch(f"load_profiles of no profiles returned {got!r}, not 0")
    expect_nothing_sent(traffic, "load_profiles", "no profiles")


# 2. Read many keys in one round trip ---------------------------------------------------------

def keys_and_values(rng, redis_db, count):
    """`count` keys to ask for: most exist, some do not, some are asked twice; stored on the server."""
    names = [f"greeting:{user_id}" for user_id in new_ids(rng, count)]
    stored = {name: f"hola {rng.choice(NAMES)} {rng.getrandbits(12)}" for name in names if rng.random() < 0.7}
    missing = [name for name in names if name not in stored]
    if not missing:
        missing.append(names[-1])
        del stored[names[-1]]
    redis_db.mset(stored)
    asked = names + [rng.choice(names) for _ in range(3)]
    rng.shuffle(asked)
    return asked, stored


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_get_many_keeps_order_and_missing_keys(redis_wire, redis_db, seed, variant):
    """get_many returns one value per key asked, in order, None for a missing key, twice for a key asked twice"""
    rng = rng_for(seed, "get-many")
    asked, stored = keys_and_values(rng, redis_db, rng.randint(40, 70))
    got, _ = call(redis_wire, "get_many", asked)
    want = [stored.get(key) for key in asked]
    if not isinstance(got, list) or len(got) != len(want):
        size = len(got) if isinstance(got, list) else type(got).__name__
        counts = (f"of {len(asked)} keys ({sum(v is None for v in want)} missing, some asked twice) returned {size} "
                  "values" if variant == "public" else "returned another number of values than keys asked")
        raise Mismatch(f"get_many {counts}: one value per key asked (a key asked twice too), None for a missing key")
    for index, (key, value, expected) in enumerate(zip(asked, got, want, strict=True)):
        if value != expected:
            raise Mismatch(f"get_many: value {index} (key {shown(key, variant)}) is {shown(value, variant)}, not "
                           f"{shown(expected, variant)}: keep the order of the keys asked")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_get_many_in_one_round_trip(redis_wire, redis_db, seed, variant):
    """get_many reads every key in one round trip, and an empty list returns [] sending nothing"""
    rng = rng_for(seed, "get-many-trips")
    asked, _ = keys_and_values(rng, redis_db, rng.randint(50, 80))
    _, traffic = call(redis_wire, "get_many", asked)
    expect_round_trips(traffic, 2, "get_many", many(len(asked), "keys", variant), "one MGET", variant)
    got, traffic = call(redis_wire, "get_many", [])
    if got != []:
        raise Mismatch(f"get_many of no keys returned {got!r}, not []")
    expect_nothing_sent(traffic, "get_many", "no keys")


# 3. A pipeline of mixed reads, and a transaction for a purchase -------------------------------

def seeded_user(rng, redis_db, others):
    """A user with every part of the dashboard stored, among `others` on the leaderboard."""
    user_id = new_ids(rng, 1)[0]
    redis_db.set(f"visits:{user_id}", rng.randint(1, 500))
    redis_db.hset(f"profile:{user_id}", mapping=new_profile(rng))
    redis_db.rpush(f"recent:{user_id}", *[f"order {rng.getrandbits(24):06x}" for _ in range(rng.randint(6, 9))])
    redis_db.sadd(f"friends:{user_id}", *new_ids(rng, rng.randint(2, 12)))
    scores = {other: rng.randint(0, 10_000) for other in others}
    scores[user_id] = rng.randint(0, 10_000)
    redis_db.zadd("leaderboard", scores)
    return user_id


def expected_dashboard(redis_db, user_id):
    visits = redis_db.get(f"visits:{user_id}")
    return {"visits": int(visits or 0), "profile": redis_db.hgetall(f"profile:{user_id}"),
            "recent": redis_db.lrange(f"recent:{user_id}", 0, 4), "friends": redis_db.scard(f"friends:{user_id}"),
            "rank": redis_db.zrevrank("leaderboard", user_id)}


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_dashboard_reads_every_part_in_one_round_trip(redis_wire, redis_db, seed, variant):
    """dashboard returns visits, profile, recent, friends and rank, read in one round trip; a new user gets zeros"""
    rng = rng_for(seed, "dashboard")
    user_id = seeded_user(rng, redis_db, new_ids(rng, rng.randint(5, 15)))
    newcomer = new_ids(rng, 1)[0]
    for who, label in ((user_id, "a user with every part stored"), (newcomer, "a user with nothing stored")):
        got, traffic = call(redis_wire, "dashboard", who)
        want = expected_dashboard(redis_db, who)
        if not isinstance(got, dict) or set(got) != set(want):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            raise Mismatch(f"dashboard should return a dict with the keys {sorted(want)}, not {keys}")
        for part in want:
            if got[part] != want[part]:
                raise Mismatch(f"dashboard of {label}: {part!r} is {shown(got[part], variant)}, not "
                               f"{shown(want[part], variant)}: a pipeline's results come in the order of its commands")
        expect_round_trips(traffic, 2, "dashboard", "for one page", "one pipeline of the five reads", variant)


def expect_one_transaction(traffic):
    """Every command of the call inside one MULTI … EXEC, or the whole call one Lua script."""
    names = [c.name for c in traffic.commands]
    if names and all(n in ("EVAL", "EVALSHA", "FCALL", "SCRIPT") for n in names):
        return  # a Lua script runs as one command: atomic too
    if "MULTI" not in names or "EXEC" not in names:
        raise Mismatch(f"record_purchase sent {', '.join(dict.fromkeys(names))} without MULTI/EXEC: another client "
                       "can see the order without the new total. Make it atomic: r.pipeline(transaction=True)")
    first, last = names.index("MULTI"), len(names) - 1 - names[::-1].index("EXEC")
    outside = names[:first] + names[last + 1:]
    inside = names[first + 1:last]
    if outside or "MULTI" in inside or "EXEC" in inside:
        raise Mismatch(f"record_purchase sent {', '.join(outside or ['a second MULTI/EXEC'])} outside its one "
                       "MULTI … EXEC: every write of the purchase goes in one transaction")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_record_purchase_writes_every_part_and_returns_the_total(redis_wire, redis_db, seed, variant):
    """record_purchase stores the order, keeps the 5 newest, adds to spent and the leaderboard, returns the total"""
    rng = rng_for(seed, "purchase")
    buyer, other = new_ids(rng, 2)
    redis_db.set(f"spent:{buyer}", 1500)
    redis_db.zadd("leaderboard", {buyer: 1500, other: 900})
    spent, score, orders = 1500, 1500, []
    for index in range(rng.randint(6, 8)):
        order_id, amount = f"o-{index}-{rng.getrandbits(20):05x}", rng.randint(100, 9_999)
        got, _ = call(redis_wire, "record_purchase", buyer, order_id, amount)
        spent, score, orders = spent + amount, score + amount, [order_id, *orders][:5]
        if got != spent:
            raise Mismatch(f"record_purchase returned {shown(got, variant)}, not the new total spent "
                           f"({shown(spent, variant)}): take it from INCRBY's place in the transaction's results")
        order = redis_db.hgetall(f"order:{order_id}")
        if order != {"user": buyer, "amount_cents": str(amount)}:
            raise Mismatch(f"order:{{order_id}} holds {shown(order, variant)}: it should have the fields user and "
                           "amount_cents")
    checks = [(redis_db.lrange(f"recent:{buyer}", 0, -1), orders, "recent:{user_id} (the 5 newest, newest first)"),
              (redis_db.get(f"spent:{buyer}"), str(spent), "spent:{user_id}"),
              (redis_db.zscore("leaderboard", buyer), float(score), "the user's leaderboard score"),
              (redis_db.zscore("leaderboard", other), 900.0, "another user's leaderboard score")]
    for got, want, what in checks:
        if got != want:
            raise Mismatch(f"after the purchases, {what} is {shown(got, variant)}, not {shown(want, variant)}")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_record_purchase_is_one_transaction(redis_wire, redis_db, seed, variant):
    """record_purchase sends its writes inside one MULTI … EXEC, in one round trip"""
    rng = rng_for(seed, "purchase-atomic")
    buyer = new_ids(rng, 1)[0]
    for index in range(2):
        _, traffic = call(redis_wire, "record_purchase", buyer, f"o-{index}-{rng.getrandbits(20):05x}",
                          rng.randint(100, 999))
        expect_one_transaction(traffic)
        expect_round_trips(traffic, 2, "record_purchase", "for one purchase", "one transactional pipeline", variant)


# 4. A large batch in bounded chunks ----------------------------------------------------------

def new_events(rng, count):
    return [[f"{rng.choice(NAMES)}-{index}-{rng.getrandbits(16):04x}", f"{{\"n\": {index}, \"city\": "
             f"\"{rng.choice(CITIES)}\"}}"] for index in range(count)]


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_events_are_stored_with_their_expiry(redis_wire, redis_db, seed, variant):
    """every event is the string event:{id} holding its payload, expiring after a day"""
    rng = rng_for(seed, "events")
    chunk_size = rng.choice([250, 300, 400])
    events = new_events(rng, chunk_size * rng.randint(3, 4) + rng.randint(1, chunk_size - 1))  # a smaller last chunk
    got, _ = call(redis_wire, "store_events", events, chunk_size)
    if got != len(events):
        raise Mismatch(f"store_events returned {shown(got, variant)}, not the number of events stored "
                       f"({shown(len(events), variant)})")
    pipe = redis_db.pipeline(transaction=False)
    for event_id, _ in events:
        pipe.get(f"event:{event_id}")
        pipe.ttl(f"event:{event_id}")
    answers = pipe.execute()
    for (event_id, payload), value, ttl in zip(events, answers[::2], answers[1::2], strict=True):
        if value != payload:
            raise Mismatch(f"event:{shown(event_id, variant)} holds {shown(value, variant)}, not its payload"
                           + (": is the last, smaller chunk sent too?" if value is None else ""))
        if not 0 < ttl <= EVENT_TTL_S:
            raise Mismatch(f"event:{shown(event_id, variant)} has a TTL of {ttl}: it should expire after "
                           f"{EVENT_TTL_S} seconds (SET … EX {EVENT_TTL_S})")


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_events_go_in_bounded_chunks(redis_wire, redis_db, seed, variant):
    """store_events sends at most chunk_size events per round trip, in as few round trips as that allows"""
    rng = rng_for(seed, "events-chunks")
    events = new_events(rng, rng.randint(1500, 2600))
    chunk_size = rng.choice([500, 600, 750, 1000])
    _, traffic = call(redis_wire, "store_events", events, chunk_size)
    largest = traffic.largest()
    if largest > chunk_size:
        sent = (f"{largest} commands in one round trip with a chunk_size of {chunk_size}" if variant == "public"
                else "more commands in one round trip than chunk_size")
        raise Mismatch(f"store_events sent {sent}: execute a pipeline every chunk_size events, so neither end holds "
                       "the whole batch in memory")
    needed = math.ceil(len(events) / chunk_size)
    expect_round_trips(traffic, needed + 1, "store_events",
                       f"{many(len(events), 'events', variant)} in chunks of {shown(chunk_size, variant)}",
                       "one pipeline per chunk", variant)
    got, traffic = call(redis_wire, "store_events", [], chunk_size)
    if got != 0:
        raise Mismatch(f"store_events of no events returned {got!r}, not 0")
    expect_nothing_sent(traffic, "store_events", "no events")
