"""Public checks for redis-data-structures.

Each check generates its own data from `seed` (a different seed on the hidden run), calls your
functions on a real Redis and inspects what they stored with an administrator client (`redis_db`,
emptied before every check). Expected values are computed here in Python from the generated data.
Values are quoted in feedback for the public data only.
"""

import random
import time
from collections import deque

import pytest

from grader.checks.problems import Mismatch, SubmissionProblem

SYLLABLES = ["ka", "ri", "mo", "len", "sa", "tu", "vi", "dor", "ne", "pa", "lo", "mi", "ber", "zu"]
CITIES = ["Oslo", "Lima", "Porto", "Accra", "Hanoi", "Quito", "Graz", "Perth"]


def rng_for(seed, check):
    """One generator per check, so a check's data does not depend on which checks ran before it."""
    return random.Random(f"{seed}:{check}")


def names(rng, count):
    found = set()
    while len(found) < count:
        found.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize())
    return sorted(found)


def differs(subject, got, want, variant, verb="returned"):
    """A mismatch message that quotes values for the public data only: hidden values stay hidden."""
    if variant == "public":
        return f"{subject} {verb} {got!r} instead of {want!r}"
    return f"{subject} {verb} another value than expected (values of the hidden data are not shown)"


def instead(got, variant):
    """What the submission gave instead, for the public data only."""
    return f", not {got!r}" if variant == "public" else ""


def read_seeded(submission, function, *args, stored_as):
    """Call a reader on data the check stored; WRONGTYPE means it used a command for another type."""
    try:
        return submission.call(function, *args, inject="redis")
    except SubmissionProblem as problem:
        if "WRONGTYPE" not in str(problem):
            raise
        raise SubmissionProblem(f"{problem}\nThe check stored this data as the task says, {stored_as}: "
                                "read it with a command for that type") from None


def expect_type(redis_db, key, wanted, shown_key, advice):
    actual = redis_db.type(key)
    if actual == "none":
        raise Mismatch(f"there is no key {shown_key} after your call: store the data under exactly that name")
    if actual != wanted:
        raise Mismatch(f"{shown_key} holds a {actual}, not a {wanted}: {advice}")


# 1. Sessions that expire ----------------------------------------------------------------------

def new_sessions(rng, count):
    return [(f"{rng.getrandbits(48):012x}", rng.randint(1, 999_999), rng.randint(60, 86_400)) for _ in range(count)]


def expect_session(redis_db, token, user_id, ttl, variant):
    key = f"session:{token}"
    shown = f"session:{token}" if variant == "public" else "session:<token>"
    expect_type(redis_db, key, "string", shown, "store the user id as a plain string value (SET)")
    stored = redis_db.get(key)
    if stored != str(user_id):
        raise Mismatch(differs(shown, stored, str(user_id), variant, verb="holds"))
    left = redis_db.ttl(key)
    if left == -1:
        raise Mismatch(f"{shown} never expires: give it a lifetime when you write it, "
                       "SET key value EX seconds (r.set(key, value, ex=ttl_seconds))")
    if not ttl - 5 <= left <= ttl:
        lifetime = f"expires in {left} s but ttl_seconds was {ttl}" if variant == "public" else \
            "does not expire after ttl_seconds (values of the hidden data are not shown)"
        raise Mismatch(f"{shown} {lifetime}: EX takes seconds (PX takes milliseconds)")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_save_session_stores_user_with_expiry(submission, redis_db, seed, variant):
    """save_session stores the user id under session:{token} with the given lifetime"""
    for token, user_id, ttl in new_sessions(rng_for(seed, "save_session"), 5):
        submission.call("save_session", token, user_id, ttl, inject="redis")
        expect_session(redis_db, token, user_id, ttl, variant)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_load_session_returns_user_or_none(submission, redis_db, seed, variant):
    """load_session returns the user id as an int, and None for unknown or expired sessions"""
    rng = rng_for(seed, "load_session")
    sessions = new_sessions(rng, 5)
    for token, user_id, ttl in sessions:
        redis_db.set(f"session:{token}", user_id, ex=ttl)
    for token, user_id, _ in sessions:
        got = read_seeded(submission, "load_session", token, stored_as="a string (GET)")
        if got == str(user_id):
            raise Mismatch("load_session returned the user id as a str: Redis stores strings, convert it with int()")
        if got != user_id or type(got) is not int:
            raise Mismatch(differs("load_session", got, user_id, variant))
    unknown = f"{rng.getrandbits(48):012x}"
    got = submission.call("load_session", unknown, inject="redis")
    if got is not None:
        raise Mismatch(f"load_session should return None for a token never saved{instead(got, variant)}")
    expired = f"{rng.getrandbits(48):012x}"
    redis_db.set(f"session:{expired}", rng.randint(1, 999_999), px=1)
    time.sleep(0.01)
    got = submission.call("load_session", expired, inject="redis")
    if got is not None:
        raise Mismatch(f"load_session should return None for an expired session{instead(got, variant)}")


# 2. Profiles as hashes ------------------------------------------------------------------------

def new_profile(rng):
    profile = {"name": names(rng, 1)[0], "city": rng.choice(CITIES), "plan": rng.choice(["free", "pro", "team"])}
    if rng.random() < 0.5:
        profile["age"] = str(rng.randint(18, 90))
    return profile


def expect_profile(redis_db, user_id, expected, variant):
    key = f"user:{user_id}"
    shown = key if variant == "public" else "user:<id>"
    expect_type(redis_db, key, "hash", shown,
                "a JSON text in a plain key must be read and rewritten whole; a hash keeps each field apart "
                "(r.hset(key, mapping=fields))")
    stored = redis_db.hgetall(key)
    if stored != expected:
        raise Mismatch(differs(shown, stored, expected, variant, verb="holds the fields"))


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_save_profile_stores_a_hash(submission, redis_db, seed, variant):
    """save_profile stores the fields as a hash at user:{id}"""
    rng = rng_for(seed, "save_profile")
    for user_id in rng.sample(range(1, 100_000), 3):
        profile = new_profile(rng)
        submission.call("save_profile", user_id, profile, inject="redis")
        expect_profile(redis_db, user_id, profile, variant)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_save_profile_keeps_fields_not_given(submission, redis_db, seed, variant):
    """saving some fields again changes those and keeps the others"""
    rng = rng_for(seed, "update_profile")
    user_id = rng.randint(1, 100_000)
    profile = new_profile(rng)
    submission.call("save_profile", user_id, profile, inject="redis")
    change = {"city": rng.choice([c for c in CITIES if c != profile["city"]]), "lang": rng.choice(["en", "fr", "sw"])}
    submission.call("save_profile", user_id, change, inject="redis")
    expect_profile(redis_db, user_id, {**profile, **change}, variant)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_load_profile_returns_all_fields(submission, redis_db, seed, variant):
    """load_profile returns every field as a dict, and {} for a user without a profile"""
    rng = rng_for(seed, "load_profile")
    users = rng.sample(range(1, 100_000), 4)
    profiles = {user_id: new_profile(rng) for user_id in users[:3]}
    for user_id, profile in profiles.items():
        redis_db.hset(f"user:{user_id}", mapping=profile)
    for user_id, profile in profiles.items():
        got = read_seeded(submission, "load_profile", user_id, stored_as="a hash (HGETALL)")
        if got != profile:
            raise Mismatch(differs("load_profile", got, profile, variant))
    got = submission.call("load_profile", users[3], inject="redis")
    if got != {}:
        raise Mismatch(f"load_profile should return {{}} for a user without a profile{instead(got, variant)}")


# 3. A leaderboard -----------------------------------------------------------------------------

def expected_top(totals, n):
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [[player, total] for player, total in ranked[:max(n, 0)]]


def expect_top(got, totals, n, variant):
    want = expected_top(totals, n)
    if got == want and all(type(total) is int for _, total in got):
        return
    call = f"top(board, {n})"
    if not isinstance(got, list) or not all(isinstance(p, list) and len(p) == 2 for p in got):
        raise Mismatch(f"{call} should return a list of [player, total] pairs{instead(got, variant)}")
    if got == want:
        raise Mismatch(f"{call} returned totals that are not ints (Redis scores are floats): convert them with int()")
    if len(got) != len(want):
        raise Mismatch(f"{call} returned {len(got)} players instead of {len(want)}")
    if [total for _, total in got] == [total for _, total in want]:
        if sorted(map(tuple, got)) == sorted(map(tuple, want)):
            raise Mismatch(f"{call} has players with equal totals in the wrong order: equal totals go by name "
                           "ascending (ZREVRANGE lists them descending)")
        raise Mismatch(f"{call} has the right totals but not the right players: players tied at the cut "
                       "may sort before the last one you fetched")
    raise Mismatch(differs(call, got, want, variant))


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_add_points_adds_up(submission, redis_db, seed, variant):
    """add_points adds to the player's total in a sorted set and returns the new total"""
    rng = rng_for(seed, "add_points")
    board = rng.choice(["weekly", "spring", "arena", "daily"])
    players = names(rng, 6)
    totals = {}
    for _ in range(30):
        player, points = rng.choice(players), rng.randint(-5, 40)
        totals[player] = totals.get(player, 0) + points
        got = submission.call("add_points", board, player, points, inject="redis")
        if got != totals[player] or type(got) is not int:
            is_zset = redis_db.type(f"board:{board}") == "zset"
            scored = redis_db.zscore(f"board:{board}", player) if is_zset else None
            if scored is not None and scored == points != totals[player]:
                raise Mismatch("the score is the last points given, not the sum: ZADD replaces a score, "
                               "ZINCRBY adds to it")
            raise Mismatch(differs("add_points", got, totals[player], variant) + ": it returns the new total, an int")
    key = f"board:{board}"
    expect_type(redis_db, key, "zset", key, "a sorted set keeps players ordered by score (ZINCRBY)")
    stored = {player: int(score) for player, score in redis_db.zrange(key, 0, -1, withscores=True)}
    if stored != totals:
        raise Mismatch(differs(key, stored, totals, variant, verb="holds"))


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_top_ranks_players(submission, redis_db, seed, variant):
    """top returns [player, total] pairs, highest first, equal totals by name"""
    rng = rng_for(seed, "top")
    board = rng.choice(["weekly", "spring", "arena", "daily"])
    totals = {player: rng.randrange(0, 60, 5) for player in names(rng, 14)}
    # mixed case tied at the top: plain string order puts "Zu…" before "ka…", a case-blind order does not
    upper, lower = names(rng, 2)
    best = max(totals.values())
    totals[f"Z{upper.lower()}"] = totals[lower.lower()] = best + 5
    # five more players tied just below those two, and a cut inside their group (n = 3 or 4): the players
    # ZREVRANGE lists first there (last by name) are not the ones that make the cut; fetching a few extra
    # players is not enough, only all of those tied at the cut
    tied = [f"{player}{index}" for index, player in enumerate(names(rng, 5))]
    totals.update(dict.fromkeys(tied, best))
    redis_db.zadd(f"board:{board}", totals)
    for n in (0, 2 + rng.randint(1, 2), rng.randint(3, 8), len(totals), len(totals) + 3):
        got = read_seeded(submission, "top", board, n, stored_as="a sorted set (ZREVRANGE, ZRANGE)")
        expect_top(got, totals, n, variant)


# 4. Followers ---------------------------------------------------------------------------------

@pytest.mark.task(4)
@pytest.mark.points(1)
def test_follow_builds_a_set(submission, redis_db, seed, variant):
    """follow adds the follower to the set followers:{user}, once"""
    rng = rng_for(seed, "follow")
    people = names(rng, 8)
    follows = [tuple(rng.sample(people, 2)) for _ in range(20)]
    follows += rng.sample(follows, 4)  # following again changes nothing
    expected = {}
    for follower, user in follows:
        submission.call("follow", follower, user, inject="redis")
        expected.setdefault(user, set()).add(follower)
    for user, followers in expected.items():
        key = f"followers:{user}"
        shown = key if variant == "public" else "followers:<user>"
        expect_type(redis_db, key, "set", shown, "a set holds each follower once (SADD)")
        stored = redis_db.smembers(key)
        if stored != followers:
            raise Mismatch(differs(shown, sorted(stored), sorted(followers), variant, verb="holds"))


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_common_followers(submission, redis_db, seed, variant):
    """common_followers returns who follows both users, sorted"""
    rng = rng_for(seed, "common_followers")
    people = names(rng, 40)
    users, crowd = people[:4], people[4:]
    crowd = [name.lower() if i % 3 == 0 else name for i, name in enumerate(crowd)]  # plain order: "Zu" < "ka"
    followers = {user: set(rng.sample(crowd, rng.randint(8, 20))) for user in users[:3]}
    for user, fans in followers.items():
        redis_db.sadd(f"followers:{user}", *fans)
    pairs = [(users[0], users[1]), (users[1], users[2]), (users[2], users[0]), (users[0], users[3])]
    for a, b in pairs:
        want = sorted(followers.get(a, set()) & followers.get(b, set()))
        got = read_seeded(submission, "common_followers", a, b, stored_as="sets (SINTER, SMEMBERS)")
        if got != want:
            if isinstance(got, list) and sorted(got) == want:
                raise Mismatch("common_followers returned the right users but not sorted: sets have no order, "
                               "sort the result")
            raise Mismatch(differs("common_followers(a, b)", got, want, variant))


# 5. Counting keys by prefix -------------------------------------------------------------------

# Keys of every type in turn (string, hash, set, list), made on the server in one call: thousands of
# commands packed one by one in Python would cost more than the checks themselves.
FILL = """
for i, key in ipairs(KEYS) do
  local index = i - 1
  local kind = index % 4
  if kind == 0 then redis.call('SET', key, index)
  elseif kind == 1 then redis.call('HSET', key, 'n', index)
  elseif kind == 2 then redis.call('SADD', key, index)
  else redis.call('RPUSH', key, index) end
end
return #KEYS
"""


def fill(redis_db, keys):
    """Create the keys, of every type, in this order."""
    assert redis_db.eval(FILL, len(keys), *keys) == len(keys)


@pytest.mark.task(5)
@pytest.mark.points(1)
def test_count_keys_by_prefix(submission, redis_db, seed, variant):
    """count_keys counts the keys whose name starts with the prefix, of any type"""
    rng = rng_for(seed, "count_small")
    keys = [f"{rng.choice(['order', 'cart', 'user', 'order:item'])}:{rng.randint(1, 10**6)}" for _ in range(60)]
    keys = list(dict.fromkeys(keys))
    fill(redis_db, keys)
    for prefix in ("order:", "order:item:", "cart:", "invoice:"):
        want = sum(1 for key in keys if key.startswith(prefix))
        got = submission.call("count_keys", prefix, inject="redis")
        if got != want:
            raise Mismatch(differs(f"count_keys({prefix!r})", got, want, variant))


@pytest.mark.task(5)
@pytest.mark.points(3)
def test_count_keys_walks_every_scan_page(submission, redis_db, seed, variant):
    """count_keys finds all of thousands of keys (SCAN returns them page by page)"""
    rng = rng_for(seed, "count_many")
    wanted = [f"event:{i}:{rng.getrandbits(32):08x}" for i in range(rng.randint(5_000, 5_500))]
    others = [f"{rng.choice(['metric', 'events', 'log'])}:{i}" for i in range(2_000)]
    fill(redis_db, wanted + others)
    got = submission.call("count_keys", "event:", inject="redis")
    if got == len(wanted):
        return
    if isinstance(got, int) and 0 <= got < len(wanted):
        of = f" of {len(wanted)}" if variant == "public" else ""
        raise Mismatch(f"count_keys('event:') found only {got} keys{of}: SCAN answers one page at a time with a "
                       "cursor to continue from; call it again with that cursor until it comes back as 0 "
                       "(or let r.scan_iter loop for you)")
    raise Mismatch(differs("count_keys('event:')", got, len(wanted), variant))


@pytest.mark.task(5)
@pytest.mark.points(1)
def test_count_keys_with_few_matches_among_many(submission, redis_db, seed, variant):
    """count_keys finds one or two keys among thousands (SCAN pages can be empty before the end)"""
    rng = rng_for(seed, "count_sparse")
    fill(redis_db, [f"{rng.choice(['metric', 'log', 'job'])}:{i}" for i in range(6_000)])
    rare = {f"rare{n}:": [f"rare{n}:{rng.getrandbits(24):06x}" for _ in range(1 + n % 2)] for n in range(6)}
    fill(redis_db, [key for keys in rare.values() for key in keys])
    for prefix, keys in rare.items():
        got = submission.call("count_keys", prefix, inject="redis")
        if got == len(keys):
            continue
        if isinstance(got, int) and got < len(keys):
            raise Mismatch(f"count_keys found {got} of {len(keys) if variant == 'public' else 'the'} keys with a "
                           "rare prefix among thousands of others: a SCAN page may hold no match and still not be "
                           "the last one; only the cursor 0 says the walk is over")
        raise Mismatch(differs(f"count_keys({prefix!r})", got, len(keys), variant))


# 6. A work queue ------------------------------------------------------------------------------

def new_items(rng, count):
    return [f"job-{rng.getrandbits(32):08x}" for _ in range(count)]


@pytest.mark.task(6)
@pytest.mark.points(2)
def test_queue_is_first_in_first_out(submission, redis_db, seed, variant):
    """items come out of the queue in the order they went in, then None"""
    rng = rng_for(seed, "fifo")
    queue = rng.choice(["emails", "thumbnails", "exports"])
    items = new_items(rng, 8)
    for item in items:
        submission.call("enqueue", queue, item, inject="redis")
    shown = f"queue:{queue}"
    expect_type(redis_db, shown, "list", shown, "a list is a queue when you push at one end and pop at the other")
    if sorted(redis_db.lrange(f"queue:{queue}", 0, -1)) != sorted(items):
        raise Mismatch(f"{shown} should hold exactly the {len(items)} waiting items")
    got = [submission.call("dequeue", queue, inject="redis") for _ in items]
    if got == items[::-1]:
        raise Mismatch("items come out newest first: pushing and popping at the same end makes a stack. "
                       "Push at the tail and pop at the head (RPUSH + LPOP)")
    if got != items:
        raise Mismatch(differs("dequeue, called until the queue was empty,", got, items, variant))
    got = submission.call("dequeue", queue, inject="redis")
    if got is not None:
        raise Mismatch(f"dequeue should return None for an empty queue{instead(got, variant)}")


@pytest.mark.task(6)
@pytest.mark.points(1)
def test_queues_interleaved(submission, redis_db, seed, variant):
    """enqueue and dequeue mixed on two queues keep each queue in order"""
    rng = rng_for(seed, "interleaved")
    queues = {"mail": deque(), "video": deque()}
    for step in range(40):
        queue = rng.choice(list(queues))
        if rng.random() < 0.6:
            item = new_items(rng, 1)[0]
            queues[queue].append(item)
            submission.call("enqueue", queue, item, inject="redis")
        else:
            want = queues[queue].popleft() if queues[queue] else None
            got = submission.call("dequeue", queue, inject="redis")
            if got != want:
                raise Mismatch(differs(f"at step {step + 1}, dequeue({queue!r})", got, want, variant)
                               + ": it takes the oldest waiting item of that queue, or None when it is empty")
