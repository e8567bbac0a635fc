"""Also correct, written differently: the Prometheus text format written by hand from a Counter of
label tuples, logs through the logging module with a JSON formatter, readiness through the pool with
a short timeout, and connections labelled with SET application_name."""

import collections
import json
import logging
import os
import threading
import uuid

import psycopg
from flask import Flask, Response, g, jsonify, request
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout


class JsonLines(logging.Formatter):
    def format(self, record):
        return json.dumps({"level": record.levelname.lower(), **record.__dict__.get("fields", {})})


log = logging.getLogger("pages")
handler = logging.StreamHandler()
handler.setFormatter(JsonLines())
log.addHandler(handler)
log.setLevel(logging.INFO)
logging.getLogger("werkzeug").disabled = True

app = Flask(__name__)
pool = ConnectionPool(os.environ["DATABASE_URL"], min_size=0, max_size=4, timeout=1, open=False,
                      kwargs={"autocommit": True, "connect_timeout": 1})
pool.open(wait=False)
counts = collections.Counter()
counts_lock = threading.Lock()


@app.before_request
def identify():
    given = request.headers.get("X-Request-Id", "")
    ok = 0 < len(given) <= 64 and all(c.isalnum() or c in "._-" for c in given)
    g.request_id = given if ok else str(uuid.uuid4())


@app.after_request
def record(response):
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    route = rule.replace("<", "{").replace(">", "}")
    if route != "/metrics":
        with counts_lock:
            counts[(request.method, route, response.status_code)] += 1
    response.headers["X-Request-Id"] = g.request_id
    log.info("request", extra={"fields": {"request_id": g.request_id, "method": request.method,
                                          "path": request.path, "status": response.status_code}})
    return response


def live_connection():
    for _ in range(5):
        conn = pool.getconn()
        try:
            conn.execute(sql.SQL("SET application_name = {}").format(sql.Literal(g.request_id)))
            return conn
        except psycopg.OperationalError:
            conn.close()
            pool.putconn(conn)
    raise psycopg.OperationalError("database unreachable")


def one(query, params):
    conn = live_connection()
    try:
        return conn.execute(query, params).fetchone()
    finally:
        pool.putconn(conn)


@app.errorhandler(PoolTimeout)
@app.errorhandler(psycopg.OperationalError)
def unavailable(error):
    return jsonify({"message": "database unavailable"}), 503


@app.get("/livez")
def livez():
    return jsonify({"status": "alive"})


@app.get("/readyz")
def readyz():
    try:
        one("SELECT 1", ())
    except (PoolTimeout, psycopg.OperationalError):
        return jsonify({"status": "not ready"}), 503
    return jsonify({"status": "ready"})


@app.get("/metrics")
def metrics():
    lines = ["# HELP http_requests_total HTTP requests answered", "# TYPE http_requests_total counter"]
    with counts_lock:
        for (method, route, status), n in sorted(counts.items()):
            lines.append(f'http_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}')
    return Response("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4")


def page_answer(row):
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


@app.get("/pages/<slug>")
def read_page(slug):
    return page_answer(one("SELECT slug, visits FROM pages WHERE slug = %s", (slug,)))


@app.post("/pages/<slug>/visits")
def visit(slug):
    return page_answer(one("UPDATE pages SET visits = visits + 1 WHERE slug = %s RETURNING slug, visits", (slug,)))


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
