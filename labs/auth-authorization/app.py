"""Orders behind bearer sessions. Authentication works (who is calling: g.user); authorization does
not exist yet — every signed-in user can read, change and delete every order, and make themselves
admin. See README: decide who may do what, in one place.
"""

import os
import re

import psycopg
from flask import Flask, g, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
ORDER = "id, user_id, item, total::float AS total, status"
MAX_ID = 2**31 - 1


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def problem(status, message):
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="orders"'
    return response


@app.before_request
def authenticate():
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    g.user = None
    if scheme.lower() == "bearer" and token.strip():
        with connect() as conn:
            g.user = conn.execute(
                "SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.token = %s AND s.expires_at > now()", (token.strip(),)).fetchone()
    if g.user is None:
        return problem(401, "authentication required")
    return None


def find_order(conn, order_id):
    if not re.fullmatch(r"[0-9]{1,10}", order_id) or int(order_id) > MAX_ID:
        return None
    return conn.execute(f"SELECT {ORDER} FROM orders WHERE id = %s", (int(order_id),)).fetchone()


@app.get("/orders")
def list_orders():
    with connect() as conn:
        return jsonify(conn.execute(f"SELECT {ORDER} FROM orders ORDER BY id").fetchall())


@app.get("/orders/<order_id>")
def get_order(order_id):
    with connect() as conn:
        order = find_order(conn, order_id)
    return jsonify(order) if order else problem(404, "no such order")


@app.patch("/orders/<order_id>")
def cancel_order(order_id):
    body = request.get_json(silent=True)
    with connect() as conn:
        order = find_order(conn, order_id)
        if order is None:
            return problem(404, "no such order")
        if not isinstance(body, dict) or body.get("status") != "cancelled":
            return problem(422, "the only change allowed is {\"status\": \"cancelled\"}")
        if order["status"] != "pending":
            return problem(409, "only a pending order can be cancelled")
        order = conn.execute(f"UPDATE orders SET status = 'cancelled' WHERE id = %s RETURNING {ORDER}",
                             (order["id"],)).fetchone()
    return jsonify(order)


@app.delete("/orders/<order_id>")
def delete_order(order_id):
    with connect() as conn:
        order = find_order(conn, order_id)
        if order is None:
            return problem(404, "no such order")
        conn.execute("DELETE FROM orders WHERE id = %s", (order["id"],))
    return "", 204


@app.get("/admin/users")
def list_users():
    with connect() as conn:
        return jsonify(conn.execute("SELECT id, email, role, display_name FROM users ORDER BY id").fetchall())


@app.patch("/me")
def update_me():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body:
        return problem(422, "send the fields to change")
    allowed = {"display_name", "role", "balance"} & body.keys()
    with connect() as conn:
        for field in allowed:  # every column the client sends is written
            conn.execute(f"UPDATE users SET {field} = %s WHERE id = %s", (body[field], g.user["id"]))
        user = conn.execute("SELECT id, email, role, display_name FROM users WHERE id = %s",
                            (g.user["id"],)).fetchone()
    return jsonify(user)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
