"""Page visits (see README): make this service observable. The grader starts it with PORT and
DATABASE_URL set, and PostgreSQL behind a proxy that it takes down on purpose."""

import os

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)


def query(sql, params=()):
    # TODO 2: a pool, and the request id as the connection's application_name
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        return conn.execute(sql, params).fetchone()


@app.get("/livez")
def livez():
    return jsonify({"status": "alive"})


@app.get("/readyz")
def readyz():
    return jsonify({"status": "ready"})  # TODO 1: ready only when the database answers


# TODO 3: one JSON log line per request; TODO 4: GET /metrics in the Prometheus text format


@app.get("/pages/<slug>")
def read_page(slug):
    row = query("SELECT slug, visits FROM pages WHERE slug = %s", (slug,))
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


@app.post("/pages/<slug>/visits")
def visit(slug):
    row = query("UPDATE pages SET visits = visits + 1 WHERE slug = %s RETURNING slug, visits", (slug,))
    return jsonify({"slug": row[0], "visits": row[1]}) if row else (jsonify({"message": "no such page"}), 404)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
