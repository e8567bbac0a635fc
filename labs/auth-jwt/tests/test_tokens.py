"""Public checks for auth-jwt: the grader replays the JWT attack list (the one jwt_tool and Burp's
JWT scanner carry) against GET /me and judges by the effect: did a forged token read another user's
profile? Every forged token targets the admin; the right answer is 401, with nothing of the admin's
in the body. They run on the public variant and again on a hidden one (other keys, issuer, users)."""

import time

import pytest

from grader.apps import expect
from grader.attacks import tokens as forge


def settings(dataset, variant):
    return dataset.app_env(variant)


def target(dataset, variant):
    """The account every forged token claims to be: the admin."""
    return dataset.users(variant)[0]


def good_claims(dataset, variant, **changes):
    env, now = settings(dataset, variant), int(time.time())
    claims = {"iss": env["JWT_ISSUER"], "aud": env["JWT_AUDIENCE"], "sub": str(target(dataset, variant).id),
              "iat": now, "nbf": now, "exp": now + 300}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def real_key(dataset, variant):
    return dataset.jwt_private_key(variant)


def kid(dataset, variant):
    return {"kid": settings(dataset, variant)["JWT_KID"]}


def me(http, token):
    return http.get("/me", headers={"Authorization": f"Bearer {token}"})


def refused(http, dataset, variant, token, attack, why):
    """The forged token must get 401 and must not read the admin's profile."""
    response = me(http, token)
    admin = target(dataset, variant)
    if response.status_code == 200 and admin.email.lower() in response.text.lower():
        raise AssertionError(f"GET /me accepted a forged token ({attack}) and returned the admin's profile: {why}")
    expect.status(response, 401, f"a forged token ({attack}) must be refused: {why}", http.reveal)


def login(http, user):
    response = http.post("/login", json={"email": user.email, "password": user.password})
    expect.status(response, 200, "the right e-mail and password", http.reveal)
    return expect.fields(response, expect.json_body(response, http.reveal), ["access_token", "refresh_token"])


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_issued_tokens_work(http, dataset, variant):
    """a token from POST /login reads the user's own profile at GET /me; no token or a garbage one is 401"""
    user = dataset.users(variant)[3]
    issued = http.post("/login", json={"email": user.email, "password": user.password})
    expect.status(issued, 200, "the right e-mail and password", http.reveal)
    pair = expect.fields(issued, expect.json_body(issued, http.reveal), ["access_token", "refresh_token"])
    expect.equal(issued, "the access token's alg", forge.header_of(pair["access_token"]).get("alg"), "ES256",
                 http.reveal, "sign with the private key (ES256)")
    response = me(http, pair["access_token"])
    expect.status(response, 200, "the token login just issued", http.reveal)
    expect.equal(response, "the profile's id", expect.json_body(response, http.reveal).get("id"), user.id, http.reveal)
    missing = http.get("/me")
    expect.status(missing, 401, "no Authorization header: not authenticated", http.reveal)
    expect.header(missing, "WWW-Authenticate", "a 401 names the scheme to use: WWW-Authenticate: Bearer")
    expect.status(me(http, "not.a.token"), 401, "a token that is not a JWT", http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_login_refuses_a_wrong_password(http, dataset, variant):
    """POST /login with a known e-mail and a wrong password is 401 and issues no token"""
    user = dataset.users(variant)[3]
    for attempt, password in (("a wrong password", user.password + "x"), ("an empty password", "")):
        response = http.post("/login", json={"email": user.email, "password": password})
        expect.status(response, 401, f"{attempt}: a login proves the password; without that proof, "
                      "anyone who knows an e-mail address gets that user's tokens", http.reveal)
        assert "access_token" not in response.text and "refresh_token" not in response.text, (
            f"POST /login answered tokens for {attempt}: verify the password against the stored hash "
            "(argon2's verify raises on a mismatch: that error means 'refuse', never 'go on')")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_accepts_a_token_signed_with_the_real_key(http, dataset, variant):
    """a valid token signed with the service's own key is accepted (the checks below are not won by refusing all)"""
    token = forge.es256(kid(dataset, variant), good_claims(dataset, variant), real_key(dataset, variant))
    response = me(http, token)
    expect.status(response, 200, "a valid token with the right signature, iss, aud and times", http.reveal)
    expect.equal(response, "the profile's id", expect.json_body(response, http.reveal).get("id"),
                 target(dataset, variant).id, http.reveal, "the user is the token's `sub`")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_alg_none_is_refused(http, dataset, variant):
    """attack: `alg: none` (and `None`, `NONE`) with no signature"""
    for alg in ("none", "None", "NONE", "nOnE"):
        refused(http, dataset, variant, forge.unsigned(kid(dataset, variant), good_claims(dataset, variant), alg),
                f"alg {alg}", "the header is the attacker's to write; a verifier that lets the token pick its own "
                "algorithm accepts unsigned tokens. Pin the algorithm (ES256) on your side")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_key_confusion_is_refused(http, dataset, variant):
    """attack: HS256 signed with the service's public key as the HMAC secret (algorithm confusion)"""
    public = forge.public_pem(real_key(dataset, variant))
    for secret in (public, public.strip()):
        refused(http, dataset, variant, forge.hs256(kid(dataset, variant), good_claims(dataset, variant), secret),
                "HS256 keyed with your public key", "the public key is public; a verifier that uses it as an HMAC "
                "secret because the header says HS256 lets anyone sign. Accept ES256 only, with the public key")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_stripped_signature_is_refused(http, dataset, variant):
    """attack: a real token with its signature removed"""
    token = forge.es256(kid(dataset, variant), good_claims(dataset, variant), real_key(dataset, variant))
    refused(http, dataset, variant, forge.strip_signature(token), "signature removed",
            "a token without a signature proves nothing; verify the signature, always")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_tampered_payload_is_refused(http, dataset, variant):
    """attack: a user's real token with the payload changed to the admin's id (signature kept)"""
    user = dataset.users(variant)[3]
    token = login(http, user)["access_token"]
    changed = {**forge.claims_of(token), "sub": str(target(dataset, variant).id)}
    refused(http, dataset, variant, forge.swap_claims(token, changed), "payload changed, signature kept",
            "decoding is not verifying: the payload is only base64; the signature is what binds it")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_foreign_keys_are_refused(http, dataset, variant, seed):
    """attack: signed with the attacker's key, named by `kid`, `jwk`, `jku` or a `kid` path"""
    attacker = forge.attacker_key(seed)
    claims = good_claims(dataset, variant)
    jwk = forge.public_jwk(attacker, "attacker")
    attempts = {
        "an unknown kid": forge.es256({"kid": "attacker"}, claims, attacker),
        "an embedded jwk header": forge.es256({"kid": "attacker", "jwk": jwk}, claims, attacker),
        "a jku URL": forge.es256({"kid": "attacker", "jku": "http://127.0.0.1:9/jwks.json"}, claims, attacker),
        "your own kid": forge.es256(kid(dataset, variant), claims, attacker),
        "a kid path to an empty file": forge.hs256({"kid": "../../../../../../dev/null"}, claims, b""),
    }
    for attack, token in attempts.items():
        refused(http, dataset, variant, token, f"signed with another key, {attack}",
                "the key comes from your configuration, never from the token: a header that names or carries a "
                "key is written by whoever wrote the token")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_expired_and_early_tokens_are_refused(http, dataset, variant):
    """attack: properly signed, but expired, not valid yet, or without any expiry"""
    now = int(time.time())
    cases = {
        "expired an hour ago": good_claims(dataset, variant, iat=now - 7200, nbf=now - 7200, exp=now - 3600),
        "not valid for another hour (nbf)": good_claims(dataset, variant, nbf=now + 3600, exp=now + 7200),
        "no exp claim (valid forever)": good_claims(dataset, variant, exp=None),
    }
    for attack, claims in cases.items():
        token = forge.es256(kid(dataset, variant), claims, real_key(dataset, variant))
        refused(http, dataset, variant, token, attack, "check exp and nbf, and require exp: a stolen token must "
                "stop working on its own")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_wrong_audience_and_issuer_are_refused(http, dataset, variant):
    """attack: properly signed for another audience or by another issuer (a token meant for another service)"""
    env = settings(dataset, variant)
    cases = {
        "another audience": good_claims(dataset, variant, aud="https://reports.example.org"),
        "an audience list without yours": good_claims(dataset, variant, aud=["https://reports.example.org"]),
        "no audience": good_claims(dataset, variant, aud=None),
        "another issuer": good_claims(dataset, variant, iss=env["JWT_ISSUER"] + ".evil.example"),
    }
    for attack, claims in cases.items():
        token = forge.es256(kid(dataset, variant), claims, real_key(dataset, variant))
        refused(http, dataset, variant, token, attack, "a token issued for another service (or by another "
                "issuer sharing the key) must not open yours: check aud and iss")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_refresh_rotates(http, db, dataset, variant):
    """POST /token/refresh answers a new pair; the spent refresh token is refused afterwards (rotation)"""
    user = dataset.users(variant)[4]
    first = login(http, user)
    renewed = http.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    expect.status(renewed, 200, "a valid refresh token", http.reveal)
    second = expect.fields(renewed, expect.json_body(renewed, http.reveal), ["access_token", "refresh_token"])
    assert second["refresh_token"] != first["refresh_token"], "POST /token/refresh must answer a NEW refresh token"
    expect.status(me(http, second["access_token"]), 200, "the new access token", http.reveal)
    replay = http.post("/token/refresh", json={"refresh_token": first["refresh_token"]})
    expect.status(replay, 401, "a refresh token is spent when used: a stolen one that is replayed after the owner "
                  "used it must not work (rotation)", http.reveal)
    access = http.post("/token/refresh", json={"refresh_token": second["access_token"]})
    expect.status(access, 401, "an access token is not a refresh token", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_logout_revokes(http, dataset, variant):
    """POST /logout revokes the refresh token: it no longer refreshes"""
    pair = login(http, dataset.users(variant)[5])
    expect.status(http.post("/logout", json={"refresh_token": pair["refresh_token"]}), (200, 204),
                  "logging out", http.reveal)
    again = http.post("/token/refresh", json={"refresh_token": pair["refresh_token"]})
    expect.status(again, 401, "a revoked refresh token must not refresh", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_refresh_tokens_are_stored_hashed_and_survive_a_restart(http, app, db, dataset, variant):
    """refresh tokens live in PostgreSQL as hashes (a stolen table holds none), and survive a restart"""
    pair = login(http, dataset.users(variant)[6])
    raw = pair["refresh_token"]
    rows = db.rows("SELECT token_hash, coalesce(replaced_by, '') FROM refresh_tokens")
    assert rows, "no row in refresh_tokens after a login: keep refresh tokens there"
    assert not any(raw in value for row in rows for value in row), (
        "the refresh token is stored as it is: whoever reads the table can use every refresh token in it. "
        "Store a hash (SHA-256 is enough for a long random token) and compare hashes")
    app.restart()
    renewed = http.post("/token/refresh", json={"refresh_token": raw})
    expect.status(renewed, 200, "a refresh token issued before the app restarted is still valid", http.reveal)
