"""Page visit counters (see README). It works — until 100 requests arrive at once, the pool runs
dry, or the database restarts. The grader starts it with DATABASE_URL, DB_POOL_MAX (5) and
DB_POOL_TIMEOUT_S (2) set, and PostgreSQL behind a proxy that it breaks on purpose."""

import os

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)


def connect():
    # TODO 1: one pool for the whole app (psycopg_pool.ConnectionPool), not a connection per request
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)


# TODO 2 and 3: a pool timeout, and 503 (with Retry-After) when the pool or the database is unavailable


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.get("/pages/<slug>")
def read_page(slug):
    with connect() as conn:
        row = conn.execute("SELECT slug, visits FROM pages WHERE slug = %s", (slug,)).fetchone()
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


@app.post("/pages/<slug>/visits")
def visit(slug):
    with connect() as conn:
        row = conn.execute("UPDATE pages SET visits = visits + 1 WHERE slug = %s RETURNING slug, visits",
                           (slug,)).fetchone()
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
