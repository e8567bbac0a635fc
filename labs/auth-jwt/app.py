"""Login with access and refresh tokens: short-lived JWTs (tokens.py) and refresh tokens kept in
PostgreSQL as SHA-256 hashes. Login and /me work; refresh and logout are yours (README, task 2)."""

import hashlib
import os
import secrets

import psycopg
import tokens
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
HASHER = PasswordHasher()
DUMMY_HASH = HASHER.hash("a password nobody has")
REFRESH_DAYS = 14
UNAUTHORIZED = ({"error": "invalid or missing token"}, 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def digest(token):
    """Refresh tokens are long and random: a fast hash is enough to make a stolen table useless."""
    return hashlib.sha256(token.encode()).hexdigest()


def body_field(name):
    body = request.get_json(silent=True)
    value = body.get(name) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def new_refresh_token(conn, user_id):
    token = secrets.token_urlsafe(32)
    conn.execute("INSERT INTO refresh_tokens (token_hash, user_id, expires_at) "
                 "VALUES (%s, %s, now() + make_interval(days => %s))", (digest(token), user_id, REFRESH_DAYS))
    return token


def token_pair(conn, user_id):
    return {"access_token": tokens.issue_access_token(user_id), "token_type": "Bearer",
            "expires_in": tokens.LIFETIME, "refresh_token": new_refresh_token(conn, user_id)}


def password_ok(stored, password):
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@app.post("/login")
def login():
    email, password = body_field("email"), body_field("password")
    with connect() as conn:
        user = conn.execute("SELECT id, password_hash FROM users WHERE lower(email) = lower(%s)",
                            (email or "",)).fetchone()
        if not password_ok(user["password_hash"] if user else DUMMY_HASH, password or "") or user is None:
            return jsonify({"error": "invalid e-mail or password"}), 401
        return jsonify(token_pair(conn, user["id"]))


@app.get("/me")
def me():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user_id = tokens.verify_access_token(token.strip()) if scheme.lower() == "bearer" else None
    if user_id is None:
        return UNAUTHORIZED
    with connect() as conn:
        user = conn.execute("SELECT id, email, role FROM users WHERE id = %s", (user_id,)).fetchone()
    return jsonify(user) if user else UNAUTHORIZED


@app.post("/token/refresh")
def refresh():
    """TODO (task 2): spend the refresh token and answer a new pair; a spent or revoked one is 401."""
    return jsonify({"error": "not implemented yet"}), 501


@app.post("/logout")
def logout():
    """TODO (task 2): revoke the refresh token."""
    return jsonify({"error": "not implemented yet"}), 501


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
