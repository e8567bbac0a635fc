"""Page visits, observable: /livez (the process) apart from /readyz (the database, with a short
timeout), a request id taken from X-Request-Id or made up, echoed, logged as JSON and carried to
PostgreSQL as application_name, and Prometheus counters labelled by route template."""

import json
import os
import re
import sys
import time
import uuid

import psycopg
from flask import Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from psycopg_pool import ConnectionPool, PoolTimeout

app = Flask(__name__)
pool = ConnectionPool(os.environ["DATABASE_URL"], min_size=1, max_size=4, timeout=2, open=False,
                      kwargs={"autocommit": True, "connect_timeout": 2})
pool.open(wait=False)
registry = CollectorRegistry()
REQUESTS = Counter("http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry)
VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@app.before_request
def start():
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if VALID_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.monotonic()


@app.after_request
def finish(response):
    route = request.url_rule.rule.replace("<", "{").replace(">", "}") if request.url_rule else "unmatched"
    if route != "/metrics":
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    response.headers["X-Request-Id"] = g.request_id
    print(json.dumps({"ts": time.time(), "level": "info", "request_id": g.request_id, "method": request.method,
                      "path": request.path, "route": route, "status": response.status_code,
                      "duration_ms": round((time.monotonic() - g.started) * 1000, 1)}), file=sys.stdout, flush=True)
    return response


def query(sql, params=()):
    """Run one statement on a live pooled connection labelled with this request's id (labelling it
    is also the liveness test: a connection the database dropped is closed, and the next tried)."""
    for _ in range(pool.max_size + 1):
        with pool.connection() as conn:
            try:
                conn.execute("SELECT set_config('application_name', %s, false)", (g.request_id,))
            except psycopg.OperationalError:
                conn.close()
                continue
            return conn.execute(sql, params).fetchone()
    raise psycopg.OperationalError("no live connection in the pool")


@app.errorhandler(PoolTimeout)
@app.errorhandler(psycopg.OperationalError)
def unavailable(error):
    return jsonify({"message": "database unavailable"}), 503, {"Retry-After": "1"}


@app.get("/livez")
def livez():
    return jsonify({"status": "alive"})  # the process answers: nothing else is asked


@app.get("/readyz")
def readyz():
    try:
        with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=1, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return jsonify({"status": "not ready", "database": "unreachable"}), 503
    return jsonify({"status": "ready"})


@app.get("/metrics")
def metrics():
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


@app.get("/pages/<slug>")
def read_page(slug):
    row = query("SELECT slug, visits FROM pages WHERE slug = %s", (slug,))
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


@app.post("/pages/<slug>/visits")
def visit(slug):
    row = query("UPDATE pages SET visits = visits + 1 WHERE slug = %s RETURNING slug, visits", (slug,))
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


if __name__ == "__main__":
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request: ours, in JSON
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
