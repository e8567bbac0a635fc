"""Orders behind bearer sessions; every authorization decision comes from one permission table.

Roles grant permissions; a route asks `allowed(permission)`. Object-level access is pushed into the
query itself: a customer's lookups are scoped to `user_id = <caller>`, so another user's order is
simply not found.
"""

import os
import re

import psycopg
from flask import Flask, abort, g, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
PERMISSIONS = {
    "customer": {"orders.cancel_own"},
    "support": {"orders.read_any"},
    "admin": {"orders.read_any", "orders.change_any", "orders.delete", "users.list"},
}
ORDER = "id, user_id, item, total::float AS total, status"


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def allowed(permission):
    return permission in PERMISSIONS.get(g.user["role"], set())


@app.errorhandler(401)
@app.errorhandler(403)
@app.errorhandler(404)
@app.errorhandler(409)
@app.errorhandler(422)
def as_json(error):
    headers = {"WWW-Authenticate": "Bearer"} if error.code == 401 else {}
    return jsonify({"error": error.name.lower()}), error.code, headers


@app.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    with connect() as conn:
        g.user = conn.execute("SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
                              "WHERE s.token = %s AND s.expires_at > now()", (token,)).fetchone() if token else None
    if g.user is None:
        abort(401)


def scoped_order(conn, order_id):
    """The order as the caller may see it, or 404 — the same answer as for an id that does not exist."""
    if not re.fullmatch(r"[1-9][0-9]{0,9}", order_id) or int(order_id) >= 2**31:
        abort(404)
    every = allowed("orders.read_any")
    order = conn.execute(f"SELECT {ORDER} FROM orders WHERE id = %s AND (%s OR user_id = %s)",
                         (int(order_id), every, g.user["id"])).fetchone()
    if order is None:
        abort(404)
    return order


@app.get("/orders")
def list_orders():
    with connect() as conn:
        return jsonify(conn.execute(f"SELECT {ORDER} FROM orders WHERE %s OR user_id = %s ORDER BY id",
                                    (allowed("orders.read_any"), g.user["id"])).fetchall())


@app.get("/orders/<order_id>")
def get_order(order_id):
    with connect() as conn:
        return jsonify(scoped_order(conn, order_id))


@app.patch("/orders/<order_id>")
def cancel_order(order_id):
    with connect() as conn:
        order = scoped_order(conn, order_id)
        own = order["user_id"] == g.user["id"] and allowed("orders.cancel_own")
        if not (own or allowed("orders.change_any")):
            abort(403)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or body.get("status") != "cancelled":
            abort(422)
        changed = conn.execute(f"UPDATE orders SET status = 'cancelled' WHERE id = %s AND status = 'pending' "
                               f"RETURNING {ORDER}", (order["id"],)).fetchone()
    return jsonify(changed) if changed else abort(409)


@app.delete("/orders/<order_id>")
def delete_order(order_id):
    with connect() as conn:
        order = scoped_order(conn, order_id)
        if not allowed("orders.delete"):
            abort(403)
        conn.execute("DELETE FROM orders WHERE id = %s", (order["id"],))
    return "", 204


@app.get("/admin/users")
def list_users():
    if not allowed("users.list"):
        abort(403)
    with connect() as conn:
        return jsonify(conn.execute("SELECT id, email, role, display_name FROM users ORDER BY id").fetchall())


@app.patch("/me")
def update_me():
    body = request.get_json(silent=True) or {}
    name = body.get("display_name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not 0 < len(name.strip()) <= 100:
        abort(422)
    with connect() as conn:
        return jsonify(conn.execute("UPDATE users SET display_name = %s WHERE id = %s "
                                    "RETURNING id, email, role, display_name", (name.strip(), g.user["id"])).fetchone())


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
