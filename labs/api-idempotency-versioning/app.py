"""Orders, version 1: POST /v1/orders and GET /v1/orders/{id}. A retried POST makes a second
order, there is no v2 and no way to change an order safely yet (README)."""

import os
import re

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
ORDER = ("SELECT o.id, o.book_id, o.quantity, o.version, b.price * o.quantity AS total "
         "FROM orders o JOIN books b ON b.id = o.book_id WHERE o.id = %s")


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def v1(order):
    return {"id": order["id"], "book_id": order["book_id"], "quantity": order["quantity"],
            "total": f"{order['total']:.2f}"}


@app.post("/v1/orders")
def create_v1():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("book_id"), int) or not isinstance(
            body.get("quantity"), int) or not 1 <= body["quantity"] <= 100:
        return jsonify({"message": "book_id and quantity (1 to 100) are required"}), 422
    with connect() as conn:
        if conn.execute("SELECT 1 FROM books WHERE id = %s", (body["book_id"],)).fetchone() is None:
            return jsonify({"message": "book_id must be the id of a book"}), 422
        new_id = conn.execute("INSERT INTO orders (book_id, quantity) VALUES (%s, %s) RETURNING id",
                              (body["book_id"], body["quantity"])).fetchone()["id"]
        order = conn.execute(ORDER, (new_id,)).fetchone()
    response = jsonify(v1(order))
    response.status_code = 201
    response.headers["Location"] = f"/v1/orders/{new_id}"
    return response


@app.get("/v1/orders/<text>")
def read_v1(text):
    with connect() as conn:
        order = conn.execute(ORDER, (int(text),)).fetchone() if re.fullmatch(r"[0-9]{1,9}", text) else None
    return jsonify(v1(order)) if order else (jsonify({"message": "no such order"}), 404)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
