"""Public checks for arch-connection-pool. Your app (app.py) reaches PostgreSQL through the grader's
fault proxy. The grader holds a row lock so that requests pile up inside your app while it counts
your connections in pg_stat_activity; it cuts every connection (a database restart), refuses new
ones, and starts your app while the database is down. They run on the public data and again on a
hidden one."""

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.apps import expect
from grader.apps.gate import LockGate
from grader.checks.problems import Mismatch, SubmissionProblem

BOUND = 5         # DB_POOL_MAX in lab.yaml
WAIT_S = 12       # how long the grader lets requests pile up


def page(db, n=0):
    return db.scalar("SELECT slug FROM pages ORDER BY slug OFFSET %s LIMIT 1", (n,))


def visits(db, slug):
    return db.scalar("SELECT visits FROM pages WHERE slug = %s", (slug,))


def until_ok(http, path, within_s=10):
    """Poll `path` until it answers 200: a 500 on the way is a fail at once, a 503 is patience."""
    deadline = time.monotonic() + within_s
    while True:
        response = http.get(path)
        if response.status_code == 200:
            return response
        if response.status_code != 503:
            expect.status(response, [200, 503], "while the database comes back, answer 503; once it is back, 200",
                          http.reveal)
        if time.monotonic() > deadline:
            raise Mismatch(f"GET {path} still answered 503 {within_s} s after the database was back: your app does "
                           "not replace connections the database dropped (check them when they leave the pool)")
        time.sleep(0.2)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_pages_answer_their_slug_and_visits(http, db):
    """GET /pages/{slug} and POST /pages/{slug}/visits answer {"slug", "visits"} (a counter beyond 2^31
    included); an unknown slug is 404 for both"""
    biggest = db.scalar("SELECT slug FROM pages ORDER BY visits DESC, slug LIMIT 1")
    for slug in (page(db, 4), biggest):
        response = http.get(f"/pages/{slug}")
        expect.status(response, 200, reveal=http.reveal)
        expect.equal(response, "the page", expect.json_body(response, http.reveal),
                     {"slug": slug, "visits": visits(db, slug)}, http.reveal)
    response = http.post(f"/pages/{biggest}/visits")
    expect.status(response, 200, reveal=http.reveal)
    expect.equal(response, "the page after one more visit", expect.json_body(response, http.reveal),
                 {"slug": biggest, "visits": visits(db, biggest)}, http.reveal)
    unknown = f"{page(db, 0)}-no-such-page"
    expect.status(http.get(f"/pages/{unknown}"), 404, "no page has this slug", http.reveal)
    expect.status(http.post(f"/pages/{unknown}/visits"), 404, "no page has this slug", http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(4)
def test_a_hundred_requests_stay_within_the_pool(http, db):
    """100 concurrent requests never hold more than DB_POOL_MAX (5) connections to PostgreSQL"""
    slug = page(db, 1)
    before = visits(db, slug)
    expect.status(http.get(f"/pages/{slug}"), 200, reveal=http.reveal)
    peak = 0
    with ThreadPoolExecutor(100) as pool:
        with LockGate(db.admin_url, [("SELECT 1 FROM pages WHERE slug = %s FOR UPDATE", (slug,))]) as gate:
            calls = [pool.submit(http.post, f"/pages/{slug}/visits") for _ in range(100)]
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline and peak <= BOUND:
                peak = max(peak, db.app_sessions())
                pending = sum(not call.done() for call in calls)
                if pending == 0 or (pending <= BOUND and len(gate.waiters()) >= pending):
                    break  # every request still open waits on the lock: nothing more will connect
                time.sleep(0.05)
        responses = [call.result() for call in calls]
    if peak > BOUND:
        raise Mismatch(f"while 100 requests were in flight your app held {peak} connections to PostgreSQL at once "
                       f"(pg_stat_activity); the pool allows {BOUND} (DB_POOL_MAX). Create one pool when the app "
                       "starts and borrow from it in every request")
    for response in responses:
        expect.status(response, [200, 503], "a request the pool could not serve in time answers 503", http.reveal)
    served = sum(1 for response in responses if response.status_code == 200)
    assert served >= 1, "no request was served once the lock was released"
    expect.equal(responses[0], "the visits added", visits(db, slug) - before, served, http.reveal,
                 "each 200 counts one visit, each 503 none")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_an_exhausted_pool_answers_503_in_time(http, app, db):
    """with every pooled connection busy, more requests get 503 after DB_POOL_TIMEOUT_S instead of hanging"""
    # From here on every check starts from an app that has not seen the hundred requests: an app that
    # leaks connections or pools under them holds as many as its role allows, and which of them live
    # through a cut, and when, differs from run to run (a verdict must not).
    app.restart()
    slug = page(db, 2)
    expect.status(http.get(f"/pages/{slug}"), 200, reveal=http.reveal)
    extra = 3
    with ThreadPoolExecutor(BOUND + extra) as pool:
        with LockGate(db.admin_url, [("SELECT 1 FROM pages WHERE slug = %s FOR UPDATE", (slug,))]):
            calls = [pool.submit(http.post, f"/pages/{slug}/visits") for _ in range(BOUND + extra)]
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline and sum(call.done() for call in calls) < extra:
                time.sleep(0.05)
            answered = [call for call in calls if call.done()]
        if len(answered) < extra:
            raise Mismatch(f"all {BOUND} connections were busy; {BOUND + extra - len(answered)} of "
                           f"{BOUND + extra} requests still had no answer after {WAIT_S} s. Give the pool a timeout "
                           "(DB_POOL_TIMEOUT_S = 2) and answer 503 when it runs out")
        for call in answered:
            expect.status(call.result(), 503, "the pool had no free connection within DB_POOL_TIMEOUT_S",
                          http.reveal)
            expect.header(call.result(), "Retry-After", "a 503 tells the client when to try again")
        for call in calls:
            if call not in answered:
                expect.status(call.result(), 200, "once the lock is released the waiting requests finish",
                              http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_the_first_request_after_a_restart_succeeds(http, db, proxies):
    """the database restarts (every connection is cut): the very next request still answers 200"""
    slug = page(db, 3)
    expect.status(http.get(f"/pages/{slug}"), 200, reveal=http.reveal)
    proxies.postgres.cut()
    response = http.get(f"/pages/{slug}")
    expect.status(response, 200, "the pool's connections were cut by a restart; a connection must be checked "
                  "before it is handed out, and a dead one replaced", http.reveal)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_503_while_the_database_is_down_then_recovery(http, db, proxies):
    """while the database is down requests answer 503 (not 500, not a hang); afterwards 200 again"""
    slug = page(db, 4)
    path = f"/pages/{slug}"
    expect.status(http.get(path), 200, reveal=http.reveal)
    with proxies.postgres.down():
        for _ in range(2):
            expect.status(http.get(path), 503, "the database is unavailable: that is 503 Service Unavailable",
                          http.reveal)
    until_ok(http, path)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_the_app_starts_while_the_database_refuses(http, app, db, proxies):
    """started while the database refuses connections, the app becomes ready, answers 503, then recovers"""
    slug = page(db, 0)
    path = f"/pages/{slug}"
    proxies.postgres.refuse()
    proxies.postgres.cut()
    try:
        try:
            app.restart()
        except SubmissionProblem as problem:
            raise Mismatch("your app did not start while the database refused connections (open the pool without "
                           f"waiting for it):\n{problem}") from None
        expect.status(http.get(path), 503, "the database refuses connections", http.reveal)
        proxies.postgres.accept()
        until_ok(http, path)
    finally:
        proxies.postgres.heal()
        if not app.running():
            with contextlib.suppress(SubmissionProblem):
                app.restart()  # leave a running app for the next check
