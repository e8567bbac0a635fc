"""Also correct, written differently: a small pool by hand — a semaphore bounds the connections,
idle ones wait in a LIFO queue, a dead one is replaced on checkout — and one error handler that
maps every database failure to 503."""

import os
import queue
import threading
from contextlib import contextmanager

import psycopg
from flask import Flask, jsonify

URL = os.environ["DATABASE_URL"]
LIMIT = int(os.environ["DB_POOL_MAX"])
WAIT_S = float(os.environ["DB_POOL_TIMEOUT_S"])


class Unavailable(Exception):
    pass


class Pool:
    def __init__(self, limit, wait_s):
        self.slots = threading.BoundedSemaphore(limit)
        self.idle = queue.LifoQueue()
        self.wait_s = wait_s

    def _live(self):
        while True:
            try:
                conn = self.idle.get_nowait()
            except queue.Empty:
                return psycopg.connect(URL, autocommit=True, connect_timeout=3)
            try:
                conn.execute("SELECT 1")
                return conn
            except psycopg.OperationalError:
                conn.close()

    @contextmanager
    def connection(self):
        if not self.slots.acquire(timeout=self.wait_s):
            raise Unavailable("no free connection")
        conn = None
        try:
            conn = self._live()
            yield conn
        finally:
            if conn is not None and not conn.closed and not conn.broken:
                self.idle.put(conn)
            self.slots.release()


pool = Pool(LIMIT, WAIT_S)
app = Flask(__name__)


@app.errorhandler(Unavailable)
@app.errorhandler(psycopg.OperationalError)
def unavailable(error):
    return jsonify({"message": "database unavailable, retry shortly"}), 503, {"Retry-After": "2"}


@app.get("/health")
def health():
    return jsonify({"status": "ok"})


def one_page(sql, slug):
    with pool.connection() as conn:
        row = conn.execute(sql, (slug,)).fetchone()
    if row is None:
        return jsonify({"message": "no such page"}), 404
    return jsonify({"slug": row[0], "visits": row[1]})


@app.get("/pages/<slug>")
def read_page(slug):
    return one_page("SELECT slug, visits FROM pages WHERE slug = %s", slug)


@app.post("/pages/<slug>/visits")
def visit(slug):
    return one_page("UPDATE pages SET visits = visits + 1 WHERE slug = %s RETURNING slug, visits", slug)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
