"""Hidden check for arch-health-observability: readiness under the harness's own outage (the
database refuses the app's role and cuts its sessions), and recovery."""

import time

import pytest

from grader.apps import expect, faults


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_readiness_follows_a_database_that_refuses_the_app(http, db):
    """the database refuses connections to the app's database: /readyz 503, /livez 200; then ready again"""
    with faults.database_down(db):
        expect.status(http.get("/readyz"), 503, "the database refuses connections: not ready", http.reveal)
        expect.status(http.get("/livez"), 200, "the process is alive", http.reveal)
    deadline = time.monotonic() + 10
    response = http.get("/readyz")
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        response = http.get("/readyz")
    expect.status(response, 200, "the database accepts connections again: ready", http.reveal)
