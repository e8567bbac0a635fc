"""WRONG: a new connection for every request (the pool is never used). 100 requests at once are
100 connections: PostgreSQL's max_connections is soon reached, for every service sharing it."""

import contextlib
import os

import psycopg
from flask import Flask, jsonify
from psycopg_pool import ConnectionPool, PoolTimeout

app = Flask(__name__)
pool = ConnectionPool(
    os.environ["DATABASE_URL"],
    min_size=1,
    max_size=int(os.environ["DB_POOL_MAX"]),
    timeout=float(os.environ["DB_POOL_TIMEOUT_S"]),
    kwargs={"autocommit": True, "connect_timeout": 3},
    open=False,
)
pool.open(wait=False)  # do not wait for the database: the app starts, and answers 503 until it is back


@contextlib.contextmanager
def connection():
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, connect_timeout=3) as conn:
        yield conn


def unavailable(why):
    response = jsonify({"message": f"the database is unavailable ({why}); try again shortly"})
    response.status_code = 503
    response.headers["Retry-After"] = "1"
    return response


@app.errorhandler(PoolTimeout)
def pool_exhausted(error):
    return unavailable("no connection free in time")


@app.errorhandler(psycopg.OperationalError)
def database_down(error):
    return unavailable("connection failed")


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


@app.get("/pages/<slug>")
def read_page(slug):
    with connection() as conn:
        row = conn.execute("SELECT slug, visits FROM pages WHERE slug = %s", (slug,)).fetchone()
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


@app.post("/pages/<slug>/visits")
def visit(slug):
    with connection() as conn:
        row = conn.execute("UPDATE pages SET visits = visits + 1 WHERE slug = %s RETURNING slug, visits",
                           (slug,)).fetchone()
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
