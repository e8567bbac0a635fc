"""Public checks for sec-cors-csrf-headers. The grader plays the browser: it sends the Origin header a
page on another site would send, signs in as real users and carries their session cookie the way a
browser would on a cross-site request — then looks in the database for the effect (was money moved?).
They run on the public variant and again on a hidden one (other origins, other users)."""

from decimal import Decimal

import pytest

from grader.apps import expect
from grader.attacks import cookies

EVIL = "https://evil.example"


def origins(dataset, variant):
    return dataset.app_env(variant)["ALLOWED_ORIGINS"].split(",")


def lookalikes(allowed):
    """Origins an attacker can register that a sloppy check mistakes for an allowed one."""
    scheme, host = allowed.split("://")
    other_scheme = "http" if scheme == "https" else "https"
    return [f"{allowed}.evil.example", f"{scheme}://evil{host}", f"{scheme}://evil-{host}",
            f"{other_scheme}://{host}", f"{allowed}:8443" if ":" not in host else f"{scheme}://{host}0"]


class Session:
    def __init__(self, http, user):
        self.http, self.user = http, user
        response = http.post("/login", json={"email": user.email, "password": user.password})
        expect.status(response, 200, "the right e-mail and password", http.reveal)
        found = cookies.set_cookies(response)
        if "session" not in found:
            raise AssertionError("POST /login set no `session` cookie")
        self.cookie = found["session"]
        self.jar = cookies.header({"session": self.cookie.value})

    def csrf(self):
        response = self.http.get("/csrf-token", headers=self.jar)
        expect.status(response, 200, "GET /csrf-token with the session cookie", self.http.reveal)
        token = expect.json_body(response, self.http.reveal).get("csrf_token")
        if not isinstance(token, str) or len(token) < 16:
            raise AssertionError("GET /csrf-token must answer {\"csrf_token\": <a long random string>}")
        return token


def ledger(db):
    return db.rows("SELECT id, balance FROM users ORDER BY id"), db.scalar("SELECT count(*) FROM transfers")


def customers(dataset, variant):
    return [u for u in dataset.users(variant) if u.role == "customer"]


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_allowed_origins_are_echoed_exactly(http, dataset, variant):
    """an allowed origin gets Access-Control-Allow-Origin: <that origin>, credentials true, Vary: Origin"""
    session = Session(http, customers(dataset, variant)[0])
    for origin in origins(dataset, variant):
        response = http.get("/me", headers={**session.jar, "Origin": origin})
        expect.status(response, 200, reveal=http.reveal)
        expect.equal(response, "Access-Control-Allow-Origin", response.headers.get("Access-Control-Allow-Origin"),
                     origin, http.reveal, "an allowed front end may read the answer: echo its exact origin")
        expect.equal(response, "Access-Control-Allow-Credentials",
                     response.headers.get("Access-Control-Allow-Credentials"), "true", http.reveal,
                     "the front end sends the session cookie, so credentials must be allowed")
        vary = response.headers.get("Vary", "").lower()
        assert "origin" in vary, ("the answer depends on the Origin header, so say `Vary: Origin` — or a cache serves "
                                  "one origin's answer (and its CORS headers) to another")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_foreign_and_lookalike_origins_get_nothing(http, dataset, variant):
    """another site, `null`, and lookalikes (allowed.evil.example, evilallowed, http://allowed) get no CORS grant"""
    session = Session(http, customers(dataset, variant)[1])
    candidates = [EVIL, "null"] + [fake for allowed in origins(dataset, variant) for fake in lookalikes(allowed)]
    for origin in candidates:
        response = http.get("/me", headers={**session.jar, "Origin": origin})
        granted = response.headers.get("Access-Control-Allow-Origin")
        credentials = response.headers.get("Access-Control-Allow-Credentials", "").lower() == "true"
        if granted == "*" and credentials:
            raise AssertionError("`Access-Control-Allow-Origin: *` with credentials: browsers refuse the pair, and "
                                 "an app that 'fixes' it by echoing the origin trusts every site. Use an allow-list")
        if granted and granted != "*":
            shown = f" `{origin}`" if http.reveal else ""
            raise AssertionError(
                f"GET /me from the origin{shown} got Access-Control-Allow-Origin: a page there can read the signed-in "
                "user's account. Compare the Origin with your list exactly — a prefix, a suffix or a pattern "
                "matches domains anyone can register, and `null` is sent by sandboxed iframes and files")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_preflight(http, db, dataset, variant):
    """OPTIONS preflight: allowed origin → methods and headers granted; another origin → nothing; nothing changes"""
    origin = origins(dataset, variant)[0]
    before = ledger(db)
    request = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-csrf-token"}
    response = http.request("OPTIONS", "/transfer", headers={"Origin": origin, **request})
    expect.status(response, (200, 204), "a preflight from an allowed origin succeeds", http.reveal)
    expect.equal(response, "Access-Control-Allow-Origin", response.headers.get("Access-Control-Allow-Origin"),
                 origin, http.reveal)
    methods = response.headers.get("Access-Control-Allow-Methods", "").upper()
    assert "POST" in methods, "the preflight must allow the requested method: Access-Control-Allow-Methods: … POST"
    allowed_headers = response.headers.get("Access-Control-Allow-Headers", "").lower()
    for name in ("content-type", "x-csrf-token"):
        assert name in allowed_headers, f"the preflight must allow the requested header {name} " \
                                        "(Access-Control-Allow-Headers)"
    foreign = http.request("OPTIONS", "/transfer", headers={"Origin": EVIL, **request})
    assert not foreign.headers.get("Access-Control-Allow-Origin"), "a preflight from another site was granted"
    assert ledger(db) == before, "a preflight changed data: OPTIONS must only answer the CORS question"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_session_cookie_attributes(http, dataset, variant):
    """the session cookie is HttpOnly, Secure and SameSite=Lax or Strict"""
    cookie = Session(http, customers(dataset, variant)[2]).cookie
    assert cookie.has("httponly"), "the session cookie lacks HttpOnly: any injected script can read and send it away"
    assert cookie.has("secure"), "the session cookie lacks Secure: it travels over plain HTTP too"
    same_site = cookie.get("samesite").lower()
    assert same_site in ("lax", "strict"), ("the session cookie must say SameSite=Lax (or Strict): then a browser "
                                            "does not send it with a form another site posts")
    if cookie.has("max-age"):  # Max-Age=0 (or less) tells the browser to drop the cookie at once
        max_age = cookie.get("max-age")
        assert max_age.lstrip("-").isdigit() and int(max_age) > 0, (
            f"the session cookie says Max-Age={max_age}: a browser drops it at once and nobody stays signed in "
            "(give the lifetime in whole seconds, e.g. 8 * 3600)")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_cross_site_transfer_without_token_is_refused(http, db, dataset, variant):
    """CSRF: a transfer with the session cookie but no or a wrong token is 403, and no money moves"""
    victim, thief = customers(dataset, variant)[0], customers(dataset, variant)[-1]
    session = Session(http, victim)
    before = ledger(db)
    attempts = {"no token": {}, "an empty token": {"X-CSRF-Token": ""}, "a made-up token": {"X-CSRF-Token": "x" * 43}}
    for what, extra in attempts.items():
        response = http.post("/transfer", headers={**session.jar, **extra}, json={"to": thief.id, "amount": 10})
        if ledger(db) != before:
            raise AssertionError(f"POST /transfer with the victim's cookie and {what} moved money: any page the victim "
                                 "visits can post this form. Require a CSRF token bound to the session")
        expect.status(response, 403, f"{what}: a cross-site request forgery", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_another_sessions_token_is_refused(http, db, dataset, variant):
    """CSRF: the attacker's own (valid) token does not work with the victim's cookie"""
    victim, attacker = customers(dataset, variant)[1], customers(dataset, variant)[-1]
    stolen = Session(http, attacker).csrf()
    session = Session(http, victim)
    before = ledger(db)
    response = http.post("/transfer", headers={**session.jar, "X-CSRF-Token": stolen},
                         json={"to": attacker.id, "amount": 10})
    if ledger(db) != before:
        raise AssertionError("the attacker's own CSRF token was accepted with the victim's session: a token must "
                             "belong to the session it is sent with")
    expect.status(response, 403, "a CSRF token of another session", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_sessions_still_need_the_password(http, db, dataset, variant):
    """the routes keep refusing who they refused: a wrong password or an unknown e-mail is 401 without a session
    cookie; without a session, /me and /csrf-token are 401, /transfer 401 or 403, and no money moves"""
    user = customers(dataset, variant)[1]
    for email, password in ((user.email, user.password + "x"), (f"nobody.{user.email}", user.password)):
        response = http.post("/login", json={"email": email, "password": password})
        expect.status(response, 401, "a wrong password or an unknown e-mail signs nobody in", http.reveal)
        assert "session" not in cookies.set_cookies(response), "a failed login set a `session` cookie"
    before = ledger(db)
    for method, path in (("GET", "/me"), ("GET", "/csrf-token"), ("POST", "/transfer")):
        response = http.request(method, path, json={"to": user.id, "amount": 1} if method == "POST" else None,
                                headers={"Origin": origins(dataset, variant)[0]})
        # a transfer without a session has no CSRF token either: 403 is as right as 401
        expect.status(response, [401, 403] if method == "POST" else 401, "no session cookie: nobody is signed in",
                      http.reveal)
    assert ledger(db) == before, "a request without a session moved money"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_transfer_with_the_right_token(http, db, dataset, variant):
    """with the session's own token (from an allowed origin) the transfer happens: 200, balances and a row"""
    payer, payee = customers(dataset, variant)[2], customers(dataset, variant)[3]
    session = Session(http, payer)
    token = session.csrf()
    balances = dict(db.rows("SELECT id, balance FROM users WHERE id IN (%s, %s)", (payer.id, payee.id)))
    transfers = db.scalar("SELECT count(*) FROM transfers WHERE from_user = %s", (payer.id,))
    response = http.post("/transfer", json={"to": payee.id, "amount": 12.5},
                         headers={**session.jar, "X-CSRF-Token": token, "Origin": origins(dataset, variant)[0]})
    expect.status(response, 200, "the right cookie, token and origin", http.reveal)
    after = dict(db.rows("SELECT id, balance FROM users WHERE id IN (%s, %s)", (payer.id, payee.id)))
    amount = Decimal("12.50")
    assert after[payer.id] == balances[payer.id] - amount and after[payee.id] == balances[payee.id] + amount, (
        "POST /transfer answered 200 but the balances did not move by the amount")
    assert db.scalar("SELECT count(*) FROM transfers WHERE from_user = %s", (payer.id,)) == transfers + 1, (
        "POST /transfer answered 200 but recorded no row in transfers")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_foreign_origin_is_refused_even_with_a_token(http, db, dataset, variant):
    """a state-changing request whose Origin is another site is 403, whatever it carries (defence in depth)"""
    payer, payee = customers(dataset, variant)[3], customers(dataset, variant)[4]
    session = Session(http, payer)
    token = session.csrf()
    before = ledger(db)
    response = http.post("/transfer", json={"to": payee.id, "amount": 1},
                         headers={**session.jar, "X-CSRF-Token": token, "Origin": EVIL})
    assert ledger(db) == before, "a transfer from another site's page moved money"
    expect.status(response, 403, "the Origin header says the request comes from another site", http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_security_headers(http, dataset, variant):
    """every answer (200, 401, 404) has nosniff, framing denied, a CSP, a Referrer-Policy and HSTS"""
    session = Session(http, customers(dataset, variant)[0])
    for response in (http.get("/me", headers=session.jar), http.get("/me"), http.get("/no-such-page")):
        expect.equal(response, "X-Content-Type-Options", response.headers.get("X-Content-Type-Options", "").lower(),
                     "nosniff", http.reveal, "stop browsers guessing a JSON answer is HTML or script")
        csp = response.headers.get("Content-Security-Policy", "").lower()
        assert csp, f"{expect.sent(response)}: no Content-Security-Policy header"
        frame = response.headers.get("X-Frame-Options", "").upper()
        assert frame in ("DENY", "SAMEORIGIN") or "frame-ancestors" in csp, (
            f"{expect.sent(response)}: framing is not denied (X-Frame-Options: DENY or CSP frame-ancestors "
            "'none'): another site could frame your pages and trick clicks (clickjacking)")
        assert response.headers.get("Referrer-Policy"), f"{expect.sent(response)}: no Referrer-Policy header"
        hsts = response.headers.get("Strict-Transport-Security", "").lower()
        age = next((int(part.split("=")[1]) for part in hsts.replace(" ", "").split(";")
                    if part.startswith("max-age=") and part.split("=")[1].isdigit()), 0)
        assert age >= 15552000, (f"{expect.sent(response)}: Strict-Transport-Security needs max-age of at least "
                                 "15552000 (180 days), so browsers never try plain HTTP again")
    me = http.get("/me", headers=session.jar)
    assert "no-store" in me.headers.get("Cache-Control", ""), ("GET /me is private: say Cache-Control: no-store, "
                                                              "or a shared cache may keep one user's data")
