"""WRONG: compensations run in the order the steps ran (release before refund), not in reverse."""

import psycopg


def reserve(conn, order):
    with conn.transaction():
        if conn.execute("SELECT 1 FROM reservations WHERE order_id = %s", (order["id"],)).fetchone():
            return  # done before the crash
        conn.execute("UPDATE products SET stock = stock - %s WHERE sku = %s", (order["quantity"], order["sku"]))
        conn.execute("INSERT INTO reservations (order_id, sku, quantity) VALUES (%s, %s, %s)",
                     (order["id"], order["sku"], order["quantity"]))


def charge(conn, order):
    with conn.transaction():
        if conn.execute("SELECT 1 FROM charges WHERE order_id = %s", (order["id"],)).fetchone():
            return
        conn.execute("UPDATE wallets SET balance_cents = balance_cents - %s WHERE customer = %s",
                     (order["amount_cents"], order["customer"]))
        conn.execute("INSERT INTO charges (order_id, customer, amount_cents) VALUES (%s, %s, %s)",
                     (order["id"], order["customer"], order["amount_cents"]))


def ship(conn, order):
    with conn.transaction():
        if conn.execute("SELECT 1 FROM shipments WHERE order_id = %s", (order["id"],)).fetchone():
            return
        conn.execute("INSERT INTO shipments (order_id, country) VALUES (%s, %s)", (order["id"], order["country"]))


def release(conn, order):
    with conn.transaction():
        undone = conn.execute("UPDATE reservations SET released = true WHERE order_id = %s AND NOT released "
                              "RETURNING sku, quantity", (order["id"],)).fetchall()
        for sku, quantity in undone:
            conn.execute("UPDATE products SET stock = stock + %s WHERE sku = %s", (quantity, sku))


def refund(conn, order):
    with conn.transaction():
        undone = conn.execute("UPDATE charges SET refunded = true WHERE order_id = %s AND NOT refunded "
                              "RETURNING customer, amount_cents", (order["id"],)).fetchall()
        for customer, amount in undone:
            conn.execute("UPDATE wallets SET balance_cents = balance_cents + %s WHERE customer = %s", (amount, customer))


def cancel(conn, order):
    with conn.transaction():
        conn.execute("UPDATE shipments SET cancelled = true WHERE order_id = %s AND NOT cancelled", (order["id"],))


STEPS = [(reserve, release), (charge, refund), (ship, cancel)]


def set_status(conn, order_id, status, error=None):
    conn.execute("UPDATE orders SET status = %s, error = coalesce(%s, error) WHERE id = %s", (status, error, order_id))


def run_saga(conn, order_id):
    """Run (or resume) the saga of one order; returns 'completed' or 'compensated'."""
    row = conn.execute("SELECT id, customer, sku, quantity, amount_cents, country, status FROM orders WHERE id = %s",
                       (order_id,)).fetchone()
    order = dict(zip(["id", "customer", "sku", "quantity", "amount_cents", "country", "status"], row, strict=True))
    if order["status"] in ("completed", "compensated"):
        return order["status"]
    if order["status"] != "compensating":
        for step, _ in STEPS:
            try:
                step(conn, order)
            except psycopg.Error as error:
                set_status(conn, order_id, "compensating", str(error).strip())  # decided: no way forward
                break
        else:
            set_status(conn, order_id, "completed")
            return "completed"
    for _, compensation in STEPS:
        compensation(conn, order)  # a step that never happened has nothing to undo
    set_status(conn, order_id, "compensated")
    return "compensated"
