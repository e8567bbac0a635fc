"""SCRAM-SHA-256 secrets computed by the grader, so that PostgreSQL stores them as given.

The server's default of 4096 PBKDF2 iterations makes each login cost milliseconds of CPU on both
sides; it protects passwords a person chose against guessing from a stolen catalog. The grader's run
roles have 128-bit random passwords that live for one run, and the data owner's (the playground login)
is 96 bits derived from the server's secret URL: one iteration loses no protection, and a check that
opens tens of connections (or a run that sets the data owner's password again) no longer pays for it.
The format is PostgreSQL's own (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, RFC 5802 and RFC 7677).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

RANDOM_PASSWORD_ITERATIONS = 1


def secret(password: str, iterations: int = RANDOM_PASSWORD_ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()
    return f"SCRAM-SHA-256${iterations}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
