"""Hidden check for arch-connection-pool: a slow database (every exchange delayed) under 30
concurrent requests keeps the bound, and every request gets an answer."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.apps import expect
from grader.checks.problems import Mismatch


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_slow_database_keeps_the_bound(http, db, proxies):
    """with a slow database, 30 concurrent requests still use at most 5 connections and all get an answer"""
    slug = db.scalar("SELECT slug FROM pages ORDER BY visits DESC LIMIT 1")
    expect.status(http.get(f"/pages/{slug}"), 200, reveal=http.reveal)
    proxies.postgres.delay(0.15)
    proxies.postgres.reset_peak()
    peak = 0
    with ThreadPoolExecutor(30) as pool:
        calls = [pool.submit(http.get, f"/pages/{slug}") for _ in range(30)]
        while not all(call.done() for call in calls):
            peak = max(peak, db.app_sessions())
            time.sleep(0.05)
        responses = [call.result() for call in calls]
    peak = max(peak, proxies.postgres.peak_connections())  # a connection too short for the samples counts too
    proxies.postgres.heal()
    if peak > 5:
        raise Mismatch("with a slow database your app held more connections than DB_POOL_MAX")
    for response in responses:
        expect.status(response, [200, 503], "a slow database is no reason for a 500", http.reveal)
