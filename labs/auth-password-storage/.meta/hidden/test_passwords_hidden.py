"""Hidden checks: a registered user with an apostrophe and accents round-trips; login ignores the
letter case of the e-mail for a user who registered in mixed case."""

import pytest

from grader.apps import expect
from grader.attacks import hashes


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_mixed_case_registration_logs_in(http, db, seed):
    """a user registered as Zoë.O'Brien@… logs in as zoë.o'brien@…, and the hash is strong"""
    email, password = f"Zoë.O'Brien{seed}@Example.ORG", "mot de passe élégant 7"
    expect.status(http.post("/register", json={"email": email, "password": password}), 201, reveal=False)
    expect.status(http.post("/login", json={"email": email.lower(), "password": password}), 200,
                  "look users up case-insensitively", reveal=False)
    stored = db.scalar("SELECT password_hash FROM users WHERE lower(email) = lower(%s)", (email,))
    verdict = hashes.judge(stored, password)
    assert verdict.acceptable, f"the stored hash: {verdict.why}"
