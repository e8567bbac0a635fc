"""A bank API for a browser front end on another origin: cookie sessions, a CORS allow-list, CSRF
tokens bound to the session, and security headers — each set in one place (after_request, before_request).
"""

import hmac
import os
import secrets
from decimal import Decimal, InvalidOperation

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, g, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
ALLOWED_ORIGINS = frozenset(o.strip() for o in os.environ["ALLOWED_ORIGINS"].split(",") if o.strip())
HASHER = PasswordHasher()
DUMMY_HASH = HASHER.hash("a password nobody has")
COOKIE = "session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def error(status, message):
    return jsonify({"error": message}), status


# -- CORS and headers: every response ----------------------------------------------------------
@app.after_request
def headers(response):
    origin = request.headers.get("Origin")
    response.headers.add("Vary", "Origin")
    if origin in ALLOWED_ORIGINS:  # exact match against the list: never a pattern, never a reflection
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-CSRF-Token"
            response.headers["Access-Control-Max-Age"] = "600"
    response.headers.update(SECURITY_HEADERS)
    if g.get("user"):
        response.headers["Cache-Control"] = "no-store"
    return response


# -- sessions and CSRF: before every route -----------------------------------------------------
@app.before_request
def session_and_csrf():
    if request.method == "OPTIONS":
        return "", 204  # a preflight: answered by the CORS headers alone
    g.user = None
    token = request.cookies.get(COOKIE)
    if token:
        with connect() as conn:
            g.user = conn.execute(
                "SELECT u.id, u.email, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.token = %s AND s.expires_at > now()", (token,)).fetchone()
    if request.method in SAFE_METHODS or request.endpoint == "login":
        return None
    origin = request.headers.get("Origin")
    if origin is not None and origin not in ALLOWED_ORIGINS:
        return error(403, "cross-site request refused")
    if g.user is None:
        return error(401, "sign in first")
    sent = request.headers.get("X-CSRF-Token", "")
    if not g.user["csrf_token"] or not hmac.compare_digest(sent, g.user["csrf_token"]):
        return error(403, "missing or wrong CSRF token")
    return None


# -- routes ------------------------------------------------------------------------------------
@app.post("/login")
def login():
    body = request.get_json(silent=True) or {}
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        return error(401, "invalid e-mail or password")
    with connect() as conn:
        user = conn.execute("SELECT id, email, password_hash FROM users WHERE lower(email) = lower(%s)",
                            (email,)).fetchone()
        try:
            ok = HASHER.verify(user["password_hash"] if user else DUMMY_HASH, password) and user is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            return error(401, "invalid e-mail or password")
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        conn.execute("INSERT INTO sessions (token, user_id, csrf_token, expires_at) "
                     "VALUES (%s, %s, %s, now() + interval '8 hours')", (token, user["id"], csrf))
    response = jsonify({"id": user["id"], "email": user["email"]})
    response.set_cookie(COOKIE, token, samesite="None", path="/", max_age=8 * 3600)  # "the SPA reads it"
    return response


@app.get("/me")
def me():
    if g.user is None:
        return error(401, "sign in first")
    with connect() as conn:
        return jsonify(conn.execute("SELECT id, email, balance::float AS balance FROM users WHERE id = %s",
                                    (g.user["id"],)).fetchone())


@app.get("/csrf-token")
def csrf_token():
    if g.user is None:
        return error(401, "sign in first")
    return jsonify({"csrf_token": g.user["csrf_token"]})


@app.post("/transfer")
def transfer():
    body = request.get_json(silent=True) or {}
    to, amount = body.get("to"), body.get("amount")
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        return error(422, "amount: a positive number")
    if not isinstance(to, int) or isinstance(to, bool) or to == g.user["id"] or not amount.is_finite() \
            or not Decimal("0.01") <= amount <= Decimal("100000") or amount != round(amount, 2):
        return error(422, "to: another user's id; amount: a positive number with at most two decimals")
    with connect() as conn, conn.transaction():
        if conn.execute("SELECT 1 FROM users WHERE id = %s", (to,)).fetchone() is None:
            return error(422, "to: no such user")
        paid = conn.execute("UPDATE users SET balance = balance - %s WHERE id = %s AND balance >= %s RETURNING id",
                            (amount, g.user["id"], amount)).fetchone()
        if paid is None:
            return error(409, "insufficient funds")
        conn.execute("UPDATE users SET balance = balance + %s WHERE id = %s", (amount, to))
        conn.execute("INSERT INTO transfers (from_user, to_user, amount) VALUES (%s, %s, %s)",
                     (g.user["id"], to, amount))
    return jsonify({"from": g.user["id"], "to": to, "amount": float(amount)})


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
