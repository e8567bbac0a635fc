"""WRONG: the order commits, then the event is written in a second transaction. A crash between the
two leaves an order nobody hears about."""

import json
import os

import psycopg
import redis

STREAM = "orders"
GROUP = "shipping"
_clients = {}


def db():
    if "db" not in _clients:
        _clients["db"] = psycopg.connect(os.environ["GRADER_POSTGRES_URL"], autocommit=True)
    return _clients["db"]


def broker():
    if "broker" not in _clients:
        _clients["broker"] = redis.Redis.from_url(os.environ["GRADER_REDIS_URL"], decode_responses=True)
    return _clients["broker"]


def place_order(customer, sku, quantity):
    conn = db()
    with conn.transaction():
        conn.execute("UPDATE products SET stock = stock - %s WHERE sku = %s", (quantity, sku))
        order_id = conn.execute("INSERT INTO orders (customer, sku, quantity) VALUES (%s, %s, %s) RETURNING id",
                                (customer, sku, quantity)).fetchone()[0]
    payload = {"order_id": order_id, "customer": customer, "sku": sku, "quantity": quantity}
    conn.execute("INSERT INTO outbox (topic, payload) VALUES ('order_placed', %s)", (json.dumps(payload),))
    return order_id


def relay_once(limit=100):
    conn = db()
    pending = conn.execute("SELECT id, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT %s",
                           (limit,)).fetchall()
    for event_id, payload in pending:
        broker().xadd(STREAM, {"event_id": event_id, "payload": json.dumps(payload)})  # first publish...
        conn.execute("UPDATE outbox SET published_at = now() WHERE id = %s", (event_id,))  # ...then mark
    return len(pending)


def consume(consumer):
    r = broker()
    try:
        r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
    read = 0
    for _, entries in r.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=100) or []:
        for entry_id, fields in entries:
            apply(int(fields["event_id"]), json.loads(fields["payload"]))
            r.xack(STREAM, GROUP, entry_id)
            read += 1
    return read


def apply(event_id, event):
    conn = db()
    with conn.transaction():
        first = conn.execute("INSERT INTO processed_events (event_id) VALUES (%s) ON CONFLICT DO NOTHING",
                             (event_id,)).rowcount
        if first:
            conn.execute("UPDATE sales SET units = units + %s WHERE sku = %s", (event["quantity"], event["sku"]))
