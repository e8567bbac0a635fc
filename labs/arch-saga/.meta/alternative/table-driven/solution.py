"""Also correct, written differently: the saga is a table of SQL — each step and its compensation
one data-modifying statement that is idempotent by construction (it only acts when its record
does or does not exist yet) — and which steps to undo is read from the services' records."""

import psycopg

STEPS = [
    ("reserve", """
        WITH fresh AS (SELECT %(id)s AS order_id WHERE NOT EXISTS (SELECT 1 FROM reservations WHERE order_id = %(id)s)),
             taken AS (UPDATE products SET stock = stock - %(quantity)s WHERE sku = %(sku)s
                        AND EXISTS (SELECT 1 FROM fresh) RETURNING sku)
        INSERT INTO reservations (order_id, sku, quantity) SELECT order_id, %(sku)s, %(quantity)s FROM fresh
    """, """
        WITH undone AS (UPDATE reservations SET released = true WHERE order_id = %(id)s AND NOT released
                        RETURNING sku, quantity)
        UPDATE products p SET stock = p.stock + u.quantity FROM undone u WHERE p.sku = u.sku
    """),
    ("charge", """
        WITH fresh AS (SELECT %(id)s AS order_id WHERE NOT EXISTS (SELECT 1 FROM charges WHERE order_id = %(id)s)),
             paid AS (UPDATE wallets SET balance_cents = balance_cents - %(amount_cents)s WHERE customer = %(customer)s
                      AND EXISTS (SELECT 1 FROM fresh) RETURNING customer)
        INSERT INTO charges (order_id, customer, amount_cents) SELECT order_id, %(customer)s, %(amount_cents)s FROM fresh
    """, """
        WITH undone AS (UPDATE charges SET refunded = true WHERE order_id = %(id)s AND NOT refunded
                        RETURNING customer, amount_cents)
        UPDATE wallets w SET balance_cents = w.balance_cents + u.amount_cents FROM undone u WHERE w.customer = u.customer
    """),
    ("ship", """
        INSERT INTO shipments (order_id, country) SELECT %(id)s, %(country)s
         WHERE NOT EXISTS (SELECT 1 FROM shipments WHERE order_id = %(id)s)
    """, "UPDATE shipments SET cancelled = true WHERE order_id = %(id)s AND NOT cancelled"),
]


def run_saga(conn, order_id):
    names = ["id", "customer", "sku", "quantity", "amount_cents", "country", "status"]
    row = conn.execute(f"SELECT {', '.join(names)} FROM orders WHERE id = %s", (order_id,)).fetchone()
    order = dict(zip(names, row, strict=True))
    if order["status"] in ("completed", "compensated"):
        return order["status"]
    failed = order["status"] == "compensating"
    if not failed:
        for _, forward, _ in STEPS:
            try:
                conn.execute(forward, order)  # one statement: one transaction
            except psycopg.Error as error:
                conn.execute("UPDATE orders SET status = 'compensating', error = %s WHERE id = %s",
                             (error.diag.message_primary or str(error), order_id))
                failed = True
                break
    if not failed:
        conn.execute("UPDATE orders SET status = 'completed' WHERE id = %s", (order_id,))
        return "completed"
    for _, _, backward in reversed(STEPS):
        conn.execute(backward, order)
    conn.execute("UPDATE orders SET status = 'compensated' WHERE id = %s", (order_id,))
    return "compensated"
