"""Login with throttling: the limiter (limiter.py) is asked before the password is checked, so a
locked account answers 429 whatever password comes — even the right one."""

import os

import limiter
import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
HASHER = PasswordHasher()
DUMMY_HASH = HASHER.hash("a password nobody has")


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def password_ok(stored, password):
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@app.post("/login")
def login():
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    password = body.get("password") if isinstance(body, dict) else None
    if not isinstance(email, str) or not isinstance(password, str):
        return jsonify({"error": "e-mail and password are required"}), 400
    keys = [limiter.account_key(email),
            limiter.address_key(request.remote_addr, request.headers.get("X-Forwarded-For"))]
    wait = limiter.retry_after(keys)
    if wait:
        return jsonify({"error": "too many failed logins; try again later"}), 429, {"Retry-After": str(wait)}
    with connect() as conn:
        user = conn.execute("SELECT id, email, password_hash FROM users WHERE lower(email) = lower(%s)",
                            (email.strip(),)).fetchone()
    if not password_ok(user["password_hash"] if user else DUMMY_HASH, password) or user is None:
        limiter.record_failure(keys)  # unknown e-mails count too: the limiter must not reveal who exists
        return jsonify({"error": "invalid e-mail or password"}), 401
    limiter.forget_account(keys[0])
    return jsonify({"id": user["id"], "email": user["email"]})


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
