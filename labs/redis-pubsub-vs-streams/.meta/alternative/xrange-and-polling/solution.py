"""Alternative: the subscriber drains its connection with short polls, replay with XRANGE from an exclusive
id, and listening as a read after the last id followed by XREAD BLOCK only when nothing is there yet."""

import time


def notify_pubsub(r, channel, message):
    return int(r.publish(channel, message))


def listen_pubsub(r, channel, count, timeout_ms):
    pubsub = r.pubsub()
    pubsub.subscribe(channel)
    messages = []
    until = time.monotonic() + timeout_ms / 1000
    while len(messages) < count and time.monotonic() < until:
        event = pubsub.get_message(timeout=0.02)
        if event and event["type"] == "message" and event["channel"] == channel:
            messages.append(event["data"])
    pubsub.unsubscribe()
    pubsub.close()
    return messages


def notify_stream(r, stream, message):
    return r.xadd(stream, {"message": message})


def read_stream(r, stream, after_id, count):
    start = "-" if after_id == "0" else f"({after_id}"
    return [[entry_id, fields["message"]] for entry_id, fields in r.xrange(stream, min=start, max="+", count=count)]


def listen_stream(r, stream, after_id, timeout_ms):
    ready = read_stream(r, stream, after_id, 1000)
    if ready:
        return ready
    reply = r.xread({stream: after_id}, block=timeout_ms) or []
    return [[entry_id, fields["message"]] for _, entries in reply for entry_id, fields in entries]
