"""Orders with safe retries (Idempotency-Key), two API versions side by side, and optimistic
concurrency (ETag / If-Match)."""

import hashlib
import json
import os
import re

import psycopg
from flask import Flask, Response, jsonify, request
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

app = Flask(__name__)
ORDER = ("SELECT o.id, o.book_id, o.quantity, o.version, b.price * o.quantity AS total "
         "FROM orders o JOIN books b ON b.id = o.book_id WHERE o.id = %s")


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def setup():
    with connect() as conn:
        conn.execute("""CREATE TABLE IF NOT EXISTS idempotency_keys (
            key text PRIMARY KEY, request_hash text NOT NULL, status integer, body jsonb, location text)""")


def error(status, message):
    return jsonify({"message": message}), status


def v1(order):
    return {"id": order["id"], "book_id": order["book_id"], "quantity": order["quantity"],
            "total": f"{order['total']:.2f}"}


def v2(order):
    return {"id": order["id"], "book_id": order["book_id"], "quantity": order["quantity"],
            "total": {"amount": f"{order['total']:.2f}", "currency": "EUR"}}


def etag(order):
    return f'"{order["id"]}-{order["version"]}"'


def order_id(text):
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def valid_order(conn, body):
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    book_id, quantity = body.get("book_id"), body.get("quantity")
    if not isinstance(book_id, int) or isinstance(book_id, bool) or not 0 < book_id < 2**31:
        return "book_id must be the id of a book"
    if conn.execute("SELECT 1 FROM books WHERE id = %s", (book_id,)).fetchone() is None:
        return "book_id must be the id of a book"
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 100:
        return "quantity must be an integer from 1 to 100"
    return None


def create(version):
    key = request.headers.get("Idempotency-Key", "")
    if not key:  # wrong: any length is stored
        return error(400, "send an Idempotency-Key header (a unique value per order you mean to place)")
    body = request.get_json(silent=True)
    fingerprint = hashlib.sha256(json.dumps([version, body], sort_keys=True).encode()).hexdigest()
    with connect() as conn, conn.transaction():
        claimed = conn.execute("INSERT INTO idempotency_keys (key, request_hash) VALUES (%s, %s) "
                               "ON CONFLICT (key) DO NOTHING RETURNING key", (key, fingerprint)).fetchone()
        if claimed is None:  # another request holds this key: its transaction has committed by now
            stored = conn.execute("SELECT * FROM idempotency_keys WHERE key = %s", (key,)).fetchone()
            if stored["request_hash"] != fingerprint:
                return error(422, "this Idempotency-Key was used for another request")
            response = jsonify(stored["body"])
            response.status_code = stored["status"]
            if stored["location"]:
                response.headers["Location"] = stored["location"]
            return response
        problem = valid_order(conn, body)
        if problem:
            status, payload, location = 422, {"message": problem}, None
        else:
            new_id = conn.execute("INSERT INTO orders (book_id, quantity) VALUES (%s, %s) RETURNING id",
                                  (body["book_id"], body["quantity"])).fetchone()["id"]
            order = conn.execute(ORDER, (new_id,)).fetchone()
            status, payload = 201, (v1 if version == 1 else v2)(order)
            location = f"/v{version}/orders/{new_id}"
        conn.execute("UPDATE idempotency_keys SET status = %s, body = %s, location = %s WHERE key = %s",
                     (status, Jsonb(payload), location, key))
    response = jsonify(payload)
    response.status_code = status
    if location:
        response.headers["Location"] = location
    return response


def read(version, text):
    number = order_id(text)
    with connect() as conn:
        order = conn.execute(ORDER, (number,)).fetchone() if number is not None else None
    if order is None:
        return error(404, "no such order")
    response = jsonify((v1 if version == 1 else v2)(order))
    response.headers["ETag"] = etag(order)
    return response


@app.post("/v1/orders")
def create_v1():
    return create(1)


@app.post("/v2/orders")
def create_v2():
    return create(2)


@app.get("/v1/orders/<text>")
def read_v1(text):
    return read(1, text)


@app.get("/v2/orders/<text>")
def read_v2(text):
    return read(2, text)


@app.patch("/v2/orders/<text>")
def change_quantity(text):
    number = order_id(text)
    condition = request.headers.get("If-Match")
    body = request.get_json(silent=True)
    with connect() as conn:
        order = conn.execute(ORDER, (number,)).fetchone() if number is not None else None
        if order is None:
            return error(404, "no such order")
        if condition is None:
            return error(428, "send If-Match with the ETag you read, so a change made since is not lost")
        quantity = body.get("quantity") if isinstance(body, dict) else None
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 100:
            return error(422, "quantity must be an integer from 1 to 100")
        # compare and change in one statement: two clients with the same ETag cannot both win
        changed = conn.execute("UPDATE orders SET quantity = %s, version = version + 1 "
                               "WHERE id = %s AND %s IN (format('\"%%s-%%s\"', id, version), '*') RETURNING id",
                               (quantity, number, condition)).fetchone()
        if changed is None:
            return Response(json.dumps({"message": "the order changed since you read it: read it again"}),
                            412, mimetype="application/json")
        order = conn.execute(ORDER, (number,)).fetchone()
    response = jsonify(v2(order))
    response.headers["ETag"] = etag(order)
    return response


setup()

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
