"""Hidden checks: a GET must not change state (a link or an <img> is a cross-site GET)."""

import pytest

from grader.apps import expect
from grader.attacks import cookies


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_get_does_not_transfer(http, db, dataset, variant):
    """GET /transfer?to=…&amount=… (an image tag on another site) moves nothing and is not 200"""
    payer, payee = [u for u in dataset.users(variant) if u.role == "customer"][:2]
    login = http.post("/login", json={"email": payer.email, "password": payer.password})
    expect.status(login, 200, reveal=False)
    jar = cookies.header({"session": cookies.set_cookies(login)["session"].value})
    before = db.scalar("SELECT count(*) FROM transfers")
    response = http.get(f"/transfer?to={payee.id}&amount=5", headers=jar)
    assert db.scalar("SELECT count(*) FROM transfers") == before, "a GET moved money"
    expect.status(response, (404, 405), "state changes only with POST", reveal=False)
