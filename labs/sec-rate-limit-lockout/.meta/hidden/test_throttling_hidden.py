"""Hidden checks: a locked account stays locked for a guess with the e-mail in another case."""

import pytest

from grader.apps import expect


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_locked_in_any_spelling(http, redis_db, dataset, variant):
    """after the lock, the account's e-mail in upper case is locked too"""
    env = dataset.app_env(variant)
    victim = [u for u in dataset.users(variant) if u.role == "customer"][6]
    for i in range(int(env["MAX_FAILURES_PER_ACCOUNT"])):
        expect.status(http.post("/login", json={"email": victim.email, "password": f"x{i}"}), 401, reveal=False)
    response = http.post("/login", json={"email": victim.email.upper(), "password": victim.password})
    expect.status(response, 429, "the lock belongs to the account, whatever the spelling of its e-mail", reveal=False)
