"""Hidden checks: the edge cases where a plausible solution goes wrong, on the hidden run only.

The data here is built by hand to expose one mistake each, so feedback names the mistake but
quotes no values.
"""

import random

import pytest

from grader.checks.problems import Mismatch


def expect_type(redis_db, key, wanted, shown):
    """Inspect a key only once it has the type the task asks for (a wrong type is the learner's mistake)."""
    actual = redis_db.type(key)
    if actual != wanted:
        found = "does not exist" if actual == "none" else f"is a {actual}"
        raise Mismatch(f"{shown} should be a {wanted}, but {found}")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_saving_a_session_again_replaces_it(submission, redis_db, seed):
    """saving a token again replaces its user and restarts its lifetime"""
    rng = random.Random(f"{seed}:resave")
    token = f"{rng.getrandbits(48):012x}"
    first, second = rng.sample(range(1, 999_999), 2)
    submission.call("save_session", token, first, 120, inject="redis")
    submission.call("save_session", token, second, 7_200, inject="redis")
    expect_type(redis_db, f"session:{token}", "string", "session:<token>")
    if redis_db.get(f"session:{token}") != str(second):
        raise Mismatch("after saving a token a second time, session:<token> should hold the second user id "
                       "(SET replaces the value; NX would keep the first)")
    if not 7_195 <= redis_db.ttl(f"session:{token}") <= 7_200:
        raise Mismatch("after saving a token a second time, its lifetime should start again from the new ttl_seconds")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_profile_values_with_spaces_and_accents(submission, redis_db, seed):
    """profile values with spaces, accents and digits come back unchanged"""
    user_id = random.Random(f"{seed}:accents").randint(1, 100_000)
    profile = {"name": "Zoë Ångström", "city": "São Paulo", "bio": "likes: tea, trains & 42", "zip": "01310"}
    submission.call("save_profile", user_id, profile, inject="redis")
    expect_type(redis_db, f"user:{user_id}", "hash", "user:<id>")
    if redis_db.hgetall(f"user:{user_id}") != profile:
        raise Mismatch("a profile with spaces, accents and punctuation in its values was not stored as given")
    if submission.call("load_profile", user_id, inject="redis") != profile:
        raise Mismatch("load_profile did not return a profile with spaces, accents and punctuation as it was saved")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_top_with_ties_at_the_cut(submission, redis_db):
    """top(n) when players tied on the n-th total sort before the one fetched first"""
    redis_db.zadd("board:cup", {"Vera": 90, "Yuri": 70, "Abe": 70, "Mia": 70, "Zed": 10})
    got = submission.call("top", "cup", 2, inject="redis")
    if got != [["Vera", 90], ["Abe", 70]]:
        raise Mismatch("top(board, 2) is wrong when three players tie on the second total: of the tied players, "
                       "the first by name belongs in the result, though ZREVRANGE 0 1 returns another one")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_top_zero_and_unknown_board(submission, redis_db):
    """top(board, 0) is [] and an unknown board has no players"""
    redis_db.zadd("board:cup", {"Vera": 90, "Yuri": 70})
    got = submission.call("top", "cup", 0, inject="redis")
    if got != []:
        raise Mismatch("top(board, 0) should be []: note that ZREVRANGE key 0 -1 (n - 1 = -1) means the whole set")
    got = submission.call("top", "no-such-board", 3, inject="redis")
    if got != []:
        raise Mismatch("top() of a board nobody scored on should be []")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_negative_points(submission, redis_db):
    """penalties (negative points) lower a total, also below zero"""
    totals = [submission.call("add_points", "cup", "Ivo", points, inject="redis") for points in (5, -8, -2)]
    if totals != [5, -3, -5]:
        raise Mismatch("add_points with negative points should lower the total, also below zero")
    if submission.call("top", "cup", 1, inject="redis") != [["Ivo", -5]]:
        raise Mismatch("top() should list a player with a negative total")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_no_common_followers(submission, redis_db):
    """common_followers is [] when nobody follows both, or one user has no followers"""
    redis_db.sadd("followers:ana", "bo", "cy")
    redis_db.sadd("followers:bea", "di", "ed")
    if submission.call("common_followers", "ana", "bea", inject="redis") != []:
        raise Mismatch("common_followers should be [] when no user follows both")
    if submission.call("common_followers", "ana", "nobody", inject="redis") != []:
        raise Mismatch("common_followers should be [] when one of the users has no followers")


@pytest.mark.task(5)
@pytest.mark.points(1)
def test_count_keys_prefix_is_a_plain_prefix(submission, redis_db):
    """count_keys counts every name starting with the prefix, also without a ':' after it, and 0 for none"""
    redis_db.set("log:1", "a")
    redis_db.hset("logs:2", "n", "1")
    redis_db.rpush("login", "x")
    redis_db.sadd("blog:3", "y")
    if submission.call("count_keys", "log", inject="redis") != 3:
        raise Mismatch("count_keys('log') should count every key whose name starts with 'log' "
                       "('log:1', 'logs:2', 'login'), and not one that only contains it ('blog:3')")
    if submission.call("count_keys", "audit:", inject="redis") != 0:
        raise Mismatch("count_keys should be 0 for a prefix no key has")


@pytest.mark.task(6)
@pytest.mark.points(1)
def test_queue_items_unchanged_and_empty_queue(submission, redis_db):
    """dequeue of a queue never used is None; items with spaces come out unchanged"""
    if submission.call("dequeue", "never-used", inject="redis") is not None:
        raise Mismatch("dequeue of a queue that was never used should return None")
    items = ["resize photo 17.jpg", "mail: Zoë", ""]
    for item in items:
        submission.call("enqueue", "mixed", item, inject="redis")
    got = [submission.call("dequeue", "mixed", inject="redis") for _ in items]
    if got != items:
        raise Mismatch("items with spaces, accents or an empty text should come out of the queue exactly as they "
                       "went in (an empty text is not None)")
    if redis_db.exists("queue:mixed"):
        raise Mismatch("queue:mixed should hold nothing once every item is taken out")
