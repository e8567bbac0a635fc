"""Page visit counters behind a bounded PostgreSQL connection pool (psycopg_pool): at most
DB_POOL_MAX connections, a request waits DB_POOL_TIMEOUT_S for one and then answers 503, a
connection the database dropped is found before any work and replaced, and the app starts even
while the database is down."""

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
    """A live pooled connection: each one is tried before use; a dead one (the database restarted)
    is closed, so the pool throws it away when it comes back, and the next one is tried."""
    for _ in range(pool.max_size + 1):
        with pool.connection() as conn:
            try:
                conn.execute("SELECT 1")
            except psycopg.OperationalError:
                conn.close()
                continue
            yield conn
            return
    raise psycopg.OperationalError("no live connection in the pool")


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
