"""Registration and login over PostgreSQL; how passwords are hashed lives in passwords.py."""

import os
import re

import passwords
import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# One answer for every failed login: whether the e-mail exists is none of the caller's business.
LOGIN_FAILED = {"error": "invalid e-mail or password"}


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def credentials():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, None
    email, password = body.get("email"), body.get("password")
    return (email.strip() if isinstance(email, str) else None), password


@app.post("/register")
def register():
    email, password = credentials()
    errors = {}
    if email is None or not EMAIL.fullmatch(email):
        errors["email"] = "a valid e-mail address"
    problem = passwords.policy_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        return jsonify({"error": "invalid registration", "errors": errors}), 422
    with connect() as conn:
        try:
            user = conn.execute(
                "INSERT INTO users (email, password_hash, display_name) VALUES (%s, %s, %s) RETURNING id, email",
                (email, passwords.hash_password(password), email.split("@")[0]),
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            return jsonify({"error": "this e-mail is already registered"}), 409
    return jsonify(user), 201


@app.post("/login")
def login():
    email, password = credentials()
    if email is None or not isinstance(password, str):
        return jsonify(LOGIN_FAILED), 401
    with connect() as conn:
        user = conn.execute("SELECT id, email, password_hash FROM users WHERE lower(email) = lower(%s)",
                            (email,)).fetchone()
        if user is None:
            # Wrong: answers at once — the same words as a wrong password, but not the same time
            return jsonify(LOGIN_FAILED), 401
        if not passwords.verify_password(user["password_hash"], password):
            return jsonify(LOGIN_FAILED), 401
        if passwords.needs_rehash(user["password_hash"]):
            conn.execute("UPDATE users SET password_hash = %s WHERE id = %s",
                         (passwords.hash_password(password), user["id"]))
    return jsonify({"id": user["id"], "email": user["email"]}), 200


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
