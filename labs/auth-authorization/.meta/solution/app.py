"""Orders behind bearer sessions, with authorization decided in one place.

Authentication (who is calling) runs before every route; authorization (may they) is two rules kept
together below: `visible_order` for object-level access (an order you may not see does not exist
for you: 404) and `requires` for role-level access (a route you may not use: 403).
"""

import functools
import os
import re

import psycopg
from flask import Flask, g, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
STAFF = {"support", "admin"}
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


# -- authentication: every route, before anything else ---------------------------------------
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


# -- authorization: the two rules -----------------------------------------------------------
def requires(*roles):
    """Role-level: the route exists for everyone, but only these roles may use it (403 otherwise)."""
    def wrap(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if g.user["role"] not in roles:
                return problem(403, "your role may not do this")
            return view(*args, **kwargs)
        return guarded
    return wrap


def visible_order(conn, order_id):
    """Object-level: the order if the caller may see it; None — exactly as for a missing order — otherwise."""
    if not re.fullmatch(r"[0-9]{1,10}", order_id) or int(order_id) > MAX_ID:
        return None
    order = conn.execute(f"SELECT {ORDER} FROM orders WHERE id = %s", (int(order_id),)).fetchone()
    if order is None or (g.user["role"] not in STAFF and order["user_id"] != g.user["id"]):
        return None
    return order


NOT_FOUND = "no such order"


# -- routes ------------------------------------------------------------------------------------
@app.get("/orders")
def list_orders():
    with connect() as conn:
        if g.user["role"] in STAFF:
            return jsonify(conn.execute(f"SELECT {ORDER} FROM orders ORDER BY id").fetchall())
        return jsonify(conn.execute(f"SELECT {ORDER} FROM orders WHERE user_id = %s ORDER BY id",
                                    (g.user["id"],)).fetchall())


@app.get("/orders/<order_id>")
def get_order(order_id):
    with connect() as conn:
        order = visible_order(conn, order_id)
    return jsonify(order) if order else problem(404, NOT_FOUND)


@app.patch("/orders/<order_id>")
def cancel_order(order_id):
    body = request.get_json(silent=True)
    with connect() as conn:
        order = visible_order(conn, order_id)
        if order is None:
            return problem(404, NOT_FOUND)
        if g.user["role"] != "admin" and order["user_id"] != g.user["id"]:
            return problem(403, "only the owner or an admin may change an order")
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
        order = visible_order(conn, order_id)
        if order is None:
            return problem(404, NOT_FOUND)
        if g.user["role"] != "admin":
            return problem(403, "only an admin may delete orders")
        conn.execute("DELETE FROM orders WHERE id = %s", (order["id"],))
    return "", 204


@app.get("/admin/users")
@requires("admin")
def list_users():
    with connect() as conn:
        return jsonify(conn.execute("SELECT id, email, role, display_name FROM users ORDER BY id").fetchall())


@app.patch("/me")
def update_me():
    body = request.get_json(silent=True)
    name = body.get("display_name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        return problem(422, "display_name: a non-empty string of at most 100 characters")
    with connect() as conn:  # only the fields a user may change are read from the body: never role or balance
        user = conn.execute("UPDATE users SET display_name = %s WHERE id = %s "
                            "RETURNING id, email, role, display_name", (name.strip(), g.user["id"])).fetchone()
    return jsonify(user)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
