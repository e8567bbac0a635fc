"""Public checks for sec-rate-limit-lockout: the grader plays a password-guessing attacker against
POST /login, varying what a naive limiter keys on (letter case, spaces, X-Forwarded-For), restarts
the app mid-attack, and reads the limiter's state in Redis. Each check starts from an empty Redis
database. They run on the public variant and again on a hidden one (other limits and users)."""

import pytest

from grader.apps import expect

FORWARDING_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded", "True-Client-IP")


def limits(dataset, variant):
    env = dataset.app_env(variant)
    return int(env["MAX_FAILURES_PER_ACCOUNT"]), int(env["MAX_FAILURES_PER_IP"]), int(env["LOCKOUT_SECONDS"])


def login(http, email, password, headers=None):
    return http.post("/login", json={"email": email, "password": password}, headers=headers or {})


def fail(http, email, n=1, **kwargs):
    for i in range(n):
        response = login(http, email, f"wrong guess {i}", **kwargs)
        expect.status(response, 401, "a wrong password below the limit is an ordinary failed login", http.reveal)


def locked(response, lockout, reveal, why):
    expect.status(response, 429, why, reveal)
    wait = expect.header(response, "Retry-After", "a 429 says when to come back: Retry-After: <seconds>")
    if not wait.isdigit() or not 0 < int(wait) <= lockout:
        raise AssertionError(f"{expect.sent(response)}: Retry-After must be a number of seconds between 1 and the "
                             f"lockout time ({lockout}), got {wait if reveal else 'something else'}")


def user(dataset, variant, n):
    return [u for u in dataset.users(variant) if u.role == "customer"][n]


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_account_locks_after_the_limit(http, redis_db, dataset, variant):
    """after the limit of failures the account answers 429 with Retry-After — even to the right password"""
    per_account, _, lockout = limits(dataset, variant)
    victim = user(dataset, variant, 0)
    fail(http, victim.email, per_account)
    locked(login(http, victim.email, victim.password), lockout, http.reveal,
           "the account is locked: the right password must not get through either, or the attacker keeps guessing "
           "and the one 200 among the 429s is the password")
    other = user(dataset, variant, 1)
    expect.status(login(http, other.email, other.password), 200, "another account is not locked", http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_success_resets_the_count(http, redis_db, dataset, variant):
    """failures below the limit, a successful login, then as many failures again: still not locked"""
    per_account, _, _ = limits(dataset, variant)
    owner = user(dataset, variant, 2)
    fail(http, owner.email, per_account - 1)
    expect.status(login(http, owner.email, owner.password), 200, "the right password below the limit", http.reveal)
    fail(http, owner.email, per_account - 1)
    expect.status(login(http, owner.email, owner.password), 200,
                  "a successful login forgets the account's earlier failures", http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_unknown_accounts_lock_the_same_way(http, redis_db, dataset, variant, seed):
    """an e-mail with no account locks after the same number of failures (the limiter reveals no users)"""
    per_account, _, lockout = limits(dataset, variant)
    ghost = f"nobody.{seed}@{user(dataset, variant, 0).email.split('@')[1]}"
    fail(http, ghost, per_account)
    locked(login(http, ghost, "one more guess"), lockout, http.reveal,
           "an unknown e-mail must behave like a known one, or the lockout tells attackers which accounts exist")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_case_and_spaces_do_not_bypass(http, redis_db, dataset, variant):
    """failures spread over EMAIL, email and ' Email ' count for one account"""
    per_account, _, lockout = limits(dataset, variant)
    victim = user(dataset, variant, 3)
    spellings = [victim.email.upper(), victim.email.lower(), f"  {victim.email} ", victim.email.swapcase()]
    for i in range(per_account):
        response = login(http, spellings[i % len(spellings)], f"guess {i}")
        expect.status(response, 401, "a failed login", http.reveal)
    locked(login(http, victim.email, victim.password), lockout, http.reveal,
           "the failures used the same address in other letter cases and with spaces — the login accepts those "
           "spellings, so the limiter must count them as one account (normalize before keying)")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_forwarded_headers_do_not_bypass_the_address_limit(http, redis_db, dataset, variant):
    """credential stuffing from one address: a fresh X-Forwarded-For on every try does not reset the limit"""
    _, per_address, lockout = limits(dataset, variant)
    domain = user(dataset, variant, 0).email.split("@")[1]
    for i in range(per_address):
        name = FORWARDING_HEADERS[i % len(FORWARDING_HEADERS)]
        value = f"for=203.0.113.{i + 1}" if name == "Forwarded" else f"198.51.100.{i + 1}"
        response = login(http, f"stuffed.{i}@{domain}", "Summer2024!", headers={name: value})
        expect.status(response, 401, "a failed login below the address limit", http.reveal)
    honest = user(dataset, variant, 4)
    locked(login(http, honest.email, honest.password, headers={"X-Forwarded-For": "192.0.2.77"}), lockout,
           http.reveal, "this address failed too often: the X-Forwarded-For header is written by the client and must "
           "not decide who the client is unless it comes from a proxy you trust (there is none here)")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_lockout_survives_a_restart(http, app, redis_db, dataset, variant):
    """the lock lives in Redis: restarting the app (or running two copies) does not unlock the account"""
    per_account, _, lockout = limits(dataset, variant)
    victim = user(dataset, variant, 5)
    fail(http, victim.email, per_account - 1)
    app.restart()
    fail(http, victim.email, 1)
    locked(login(http, victim.email, victim.password), lockout, http.reveal,
           "failures before and after a restart add up — a limiter in process memory forgets them on every deploy "
           "and counts separately in each of your app's processes")
    app.restart()
    locked(login(http, victim.email, victim.password), lockout, http.reveal, "still locked after another restart")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_limiter_keys_expire(http, redis_db, dataset, variant):
    """every key the limiter writes expires within the lockout time (Redis does not fill up forever)"""
    _, _, lockout = limits(dataset, variant)
    fail(http, user(dataset, variant, 1).email, 2)
    fail(http, "someone.else@example.org", 1)
    keys = list(redis_db.scan_iter(count=1000))
    assert keys, "no key in Redis after failed logins: keep the counters in Redis (REDIS_URL)"
    for key in keys:
        ttl = redis_db.ttl(key)
        assert 0 < ttl <= lockout, (
            f"a Redis key the app wrote {'(' + key + ') ' if http.reveal else ''}has "
            f"{'no expiry' if ttl < 0 else 'an expiry beyond the lockout time'}: set one (EXPIRE) when the window "
            "starts, or every address that ever failed stays in memory for good")
