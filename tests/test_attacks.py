"""The grader's attack kit (grader/attacks) and the app client's cookie policy: forged tokens are what
they claim to be (a real library accepts the good one and refuses the forgeries), stored hashes are
judged by the OWASP bar, Set-Cookie attributes are read, an injected pg_sleep is seen in
pg_stat_activity on real PostgreSQL, and the client never carries a cookie the check did not send."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import argon2
import bcrypt
import httpx
import jwt
import psycopg
import pytest

from grader.apps import AppClient, RunningApp
from grader.attacks import cookies, hashes, statements
from grader.attacks import tokens as forge
from grader.checks.problems import Mismatch
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool
from tests.test_apps import make_app

KEY = forge.attacker_key(1)
PUBLIC = forge.public_pem(KEY)
CLAIMS = {"sub": "7", "aud": "api", "iss": "auth", "exp": int(time.time()) + 300}


def decode(token: str) -> dict[str, object]:
    return jwt.decode(token, PUBLIC, algorithms=["ES256"], audience="api", issuer="auth")


def test_a_forged_es256_token_verifies_with_the_public_key() -> None:
    token = forge.es256({"kid": "k"}, CLAIMS, KEY)
    assert decode(token)["sub"] == "7"
    assert forge.header_of(token) == {"alg": "ES256", "typ": "JWT", "kid": "k"}


@pytest.mark.parametrize("token", [
    forge.unsigned({}, CLAIMS),
    forge.hs256({}, CLAIMS, PUBLIC),
    forge.strip_signature(forge.es256({}, CLAIMS, KEY)),
    forge.swap_claims(forge.es256({}, CLAIMS, KEY), {**CLAIMS, "sub": "1"}),
    forge.es256({}, CLAIMS, forge.attacker_key(2)),
], ids=["alg-none", "key-confusion", "stripped", "swapped-claims", "foreign-key"])
def test_every_forgery_is_refused_by_a_pinned_verifier(token: str) -> None:
    with pytest.raises(jwt.PyJWTError):
        decode(token)


def test_a_token_that_is_not_a_jwt_is_the_learners_mismatch() -> None:
    with pytest.raises(Mismatch, match="not a JWT"):
        forge.claims_of("opaque-session-id")


def test_stored_hashes_are_judged_by_the_owasp_bar() -> None:
    password = "lantern orchard 42"
    weak_argon = argon2.PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1).hash(password)
    good_argon = argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(password)
    argon2i = argon2.PasswordHasher(type=argon2.Type.I).hash(password)
    cheap_bcrypt = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()
    good_bcrypt = bcrypt.hashpw(password.encode(), bcrypt.gensalt(10)).decode()
    verdicts = {
        "plain": hashes.judge(password, password),
        "sha256": hashes.judge(hashlib.sha256(password.encode()).hexdigest(), password),
        "salted-md5": hashes.judge("ab12cd34$" + hashlib.md5(b"ab12cd34" + password.encode()).hexdigest(), password),
        "weak-argon2id": hashes.judge(weak_argon, password),
        "argon2i": hashes.judge(argon2i, password),
        "cheap-bcrypt": hashes.judge(cheap_bcrypt, password),
        "argon2id": hashes.judge(good_argon, password),
        "bcrypt": hashes.judge(good_bcrypt, password),
    }
    assert [name for name, v in verdicts.items() if v.acceptable] == ["argon2id", "bcrypt"]
    assert "m=4096" in verdicts["weak-argon2id"].why and password not in verdicts["plain"].why
    assert hashes.verifies(good_argon, password) and hashes.verifies(good_bcrypt, password)
    assert not hashes.verifies(good_argon, password + "!") and not hashes.verifies("junk", password)


def test_set_cookie_attributes_are_read() -> None:
    cookie = cookies.parse('session="abc"; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=60')
    assert (cookie.name, cookie.value) == ("session", "abc")
    assert cookie.has("httponly") and cookie.has("SECURE") and cookie.get("samesite") == "Lax"
    assert not cookies.parse("session=abc; Path=/").has("httponly")
    assert cookies.header({"a": "1", "b": "2"}) == {"Cookie": "a=1; b=2"}


@pytest.fixture
def database(pool: ServicePool) -> Iterator[tuple[str, str]]:
    isolation = PostgresIsolation(pool.get("postgres").url)
    isolation.ensure_learner_role()
    name = isolation.create_copy(None)
    try:
        yield isolation.admin_url_for(name), name
    finally:
        isolation.drop(name)


def test_an_injected_sleep_is_seen_in_pg_stat_activity(database: tuple[str, str]) -> None:
    url, name = database

    def query(sql: str) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)

    _, slept = statements.slept_during(url, name, lambda: query("SELECT pg_sleep(1)"))
    assert slept
    _, slept = statements.slept_during(url, name, lambda: query("SELECT count(*) FROM generate_series(1, 100000)"))
    assert not slept


def test_the_app_client_keeps_no_cookie_jar(tmp_path: Path) -> None:
    handler = """
    seen = self.headers.get("Cookie") or ""
    self.send_response(200); self.send_header("Set-Cookie", "session=s3cret; Path=/")
    body = seen.encode(); self.send_header("Content-Length", str(len(body))); self.end_headers()
    self.wfile.write(body); return
    """
    app: RunningApp = make_app(tmp_path / "cookies", handler=handler)
    try:
        client = AppClient(app)
        first = client.get("/")
        assert cookies.set_cookies(first)["session"].value == "s3cret"
        assert client.get("/").text == ""  # the cookie was not kept
        assert client.get("/", headers=cookies.header({"session": "chosen"})).text == "session=chosen"
    finally:
        app.close()


def test_slept_during_returns_the_actions_result(database: tuple[str, str]) -> None:
    url, name = database
    result, slept = statements.slept_during(url, name, lambda: httpx.URL("http://x/").host)
    assert (result, slept) == ("x", False)
