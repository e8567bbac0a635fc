"""Public checks for arch-health-observability. Your app (app.py) reaches PostgreSQL through the
grader's fault proxy. The grader takes the database down and watches /livez and /readyz, holds a
row lock so it can read your request's session in pg_stat_activity, reads what your app prints,
and compares /metrics with the traffic it sent. On the public data and again on a hidden one."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from grader.apps import expect
from grader.apps.gate import LockGate
from grader.checks.problems import Mismatch

SETTLE_S = 15
POOL_ROUNDS = 8  # gated requests at most, until one reuses a database session


def page(db):
    return db.scalar("SELECT slug FROM pages ORDER BY slug LIMIT 1")


def until(http, path, status, within_s=10):
    deadline = time.monotonic() + within_s
    while True:
        response = http.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_liveness_and_readiness_while_the_database_is_down(http, db, proxies):
    """while the database is down /livez stays 200, /readyz and the pages answer 503; after it is back, /readyz is
    200, a page answers {"slug", "visits"} (an unknown slug 404) and a visit adds one"""
    expect.status(http.get("/livez"), 200, "the process is alive", http.reveal)
    expect.status(until(http, "/readyz", 200), 200, "the database is up: ready", http.reveal)
    with proxies.postgres.down():
        expect.status(http.get("/readyz"), 503, "the database is down: the app cannot serve, so it is not ready "
                      "(a load balancer then sends traffic elsewhere)", http.reveal)
        expect.status(http.get("/livez"), 200, "the process itself is fine: a liveness probe that fails when the "
                      "database is down makes the orchestrator restart every replica in the middle of an outage",
                      http.reveal)
        expect.status(http.get(f"/pages/{page(db)}"), 503, "the database is unavailable", http.reveal)
    expect.status(until(http, "/readyz", 200), 200, "the database is back: ready again, by itself", http.reveal)
    slug = page(db)
    response = until(http, f"/pages/{slug}", 200)
    expect.status(response, 200, "the database is back", http.reveal)
    expect.equal(response, "the page", expect.json_body(response, http.reveal),
                 {"slug": slug, "visits": db.scalar("SELECT visits FROM pages WHERE slug = %s", (slug,))}, http.reveal)
    expect.status(http.get(f"/pages/{slug}-no-such-page"), 404, "no page has this slug", http.reveal)
    before = db.scalar("SELECT visits FROM pages WHERE slug = %s", (slug,))
    response = http.post(f"/pages/{slug}/visits")
    expect.status(response, 200, "one more visit", http.reveal)
    expect.equal(response, "the visits stored", db.scalar("SELECT visits FROM pages WHERE slug = %s", (slug,)),
                 before + 1, http.reveal, "a visit adds one")


def waiting_request(http, db, slug, headers):
    """Send a visit while the grader holds the page's row: (response, [(pid, application_name)] of the
    session that waits for it)."""
    with ThreadPoolExecutor(1) as pool:
        with LockGate(db.admin_url, [("SELECT 1 FROM pages WHERE slug = %s FOR UPDATE", (slug,))]) as gate:
            call = pool.submit(http.post, f"/pages/{slug}/visits", headers=headers)
            if not gate.settle(lambda: 0 if call.done() else 1, SETTLE_S):
                expect.status(call.result(), 200, reveal=http.reveal)
                raise Mismatch("POST /pages/{slug}/visits finished while the grader held the page's row locked: it "
                               "must add one to pages.visits")
            sessions = db.rows("SELECT pid, application_name FROM pg_stat_activity WHERE pid = ANY(%s)",
                               (gate.waiters(),))
        return call.result(), sessions


def requests_until_a_connection_is_reused(http, db, headers_for, check):
    """Gated requests one after another until one runs on a database session an earlier one used
    (a pool hands its connections out again: within POOL_ROUNDS requests, by pigeonhole, for any pool
    of fewer connections), each checked by `check(n, response, application_names)`."""
    slug = page(db)
    seen = set()
    for n in range(POOL_ROUNDS):
        response, sessions = waiting_request(http, db, slug, headers_for(n))
        expect.status(response, 200, reveal=http.reveal)
        check(n, response, [name for _, name in sessions])
        pids = {pid for pid, _ in sessions}
        if pids & seen:
            return
        seen |= pids


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_the_request_id_reaches_postgresql(http, db, seed):
    """X-Request-Id is echoed and is the application_name of the request's database session, every request"""

    def check(n, response, names):
        request_id = f"chk-{seed}-{n}"
        expect.equal(response, "the X-Request-Id header", response.headers.get("X-Request-Id"), request_id, True,
                     "echo the request id the client sent")
        if names != [request_id]:
            raise Mismatch(f"while your app handled the request with X-Request-Id: {request_id}, its database session "
                           f"had application_name {names}: set it to the request id on the connection the request "
                           "uses (SELECT set_config('application_name', …, false)), for every request — a pooled "
                           "connection keeps the name an earlier request gave it")

    requests_until_a_connection_is_reused(http, db, lambda n: {"X-Request-Id": f"chk-{seed}-{n}"}, check)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_a_request_without_an_id_gets_one(http, db):
    """without X-Request-Id the app makes one up, echoes it, and uses it as application_name"""
    made = []

    def check(n, response, names):
        given = expect.header(response, "X-Request-Id", "a request without an id gets a new one, echoed to the client")
        if given in made:
            raise Mismatch("two requests got the same made-up X-Request-Id: make a new one for every request")
        made.append(given)
        if names != [given]:
            raise Mismatch(f"the request's database session had application_name {names}, not the id your app gave "
                           "the request")

    requests_until_a_connection_is_reused(http, db, lambda n: {}, check)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_every_request_is_one_json_log_line(http, app, db, seed):
    """each request is logged as one JSON object per line, with its request id, method, path and status"""
    slug = page(db)
    mark = app.mark()
    sent = [("GET", f"/pages/{slug}", f"log-{seed}-a", 200), ("GET", "/pages/no-such-page", f"log-{seed}-b", 404),
            ("POST", f"/pages/{slug}/visits", f"log-{seed}-c", 200)]
    for method, path, request_id, status in sent:
        expect.status(http.request(method, path, headers={"X-Request-Id": request_id}), status, reveal=http.reveal)
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in app.output_since(mark).splitlines() if line.strip()]
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                records.append(None)
        found = {r.get("request_id"): r for r in records if isinstance(r, dict)}
        if all(request_id in found for _, _, request_id, _ in sent) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if any(not isinstance(record, dict) for record in records):
        raise Mismatch("your app printed a line that is not a JSON object while handling requests: structured logs "
                       "are one JSON object per line, which a log pipeline can parse (silence werkzeug's text "
                       "access log)" + app.last_lines(mark))
    for method, path, request_id, status in sent:
        record = found.get(request_id)
        if record is None:
            raise Mismatch(f"no log line has \"request_id\": \"{request_id}\" for {method} {path}"
                           + app.last_lines(mark))
        wanted = {"method": method, "path": path, "status": status}
        got = {key: record.get(key) for key in wanted}
        if got != wanted:
            raise Mismatch(f"the log line of {method} {path} must say method, path and status {wanted}, got {got}")


def scrape(http):
    response = http.get("/metrics")
    expect.status(response, 200, reveal=http.reveal)
    counts = {}
    try:
        for family in text_string_to_metric_families(response.text):
            for sample in family.samples:
                if sample.name == "http_requests_total":
                    labels = sample.labels
                    counts[(labels.get("method"), labels.get("route"), labels.get("status"))] = sample.value
    except ValueError as error:
        raise Mismatch(f"GET /metrics is not in the Prometheus text format: {error}") from None
    return counts


@pytest.mark.task(4)
@pytest.mark.points(4)
def test_metrics_count_the_traffic_sent(http, db):
    """http_requests_total by method, route template and status grows by exactly the requests sent"""
    slug = page(db)
    before = scrape(http)
    sent = [("GET", f"/pages/{slug}", 200)] * 3 + [("GET", "/pages/no-such-page", 404)] * 2 + \
        [("POST", f"/pages/{slug}/visits", 200)]
    for method, path, status in sent:
        expect.status(http.request(method, path), status, reveal=http.reveal)
    after = scrape(http)
    if any(slug in (route or "") or "no-such-page" in (route or "") for _, route, _ in after):
        raise Mismatch("a route label holds a page's slug: label requests with the route template (/pages/{slug}), "
                       "or every page becomes a time series of its own")
    expected = {("GET", "/pages/{slug}", "200"): 3, ("GET", "/pages/{slug}", "404"): 2,
                ("POST", "/pages/{slug}/visits", "200"): 1}
    for key, count in expected.items():
        grown = after.get(key, 0) - before.get(key, 0)
        if grown != count:
            method, route, status = key
            raise Mismatch(f'http_requests_total{{method="{method}",route="{route}",status="{status}"}} grew by '
                           f"{grown:g}, but the grader sent {count} such request(s)")
