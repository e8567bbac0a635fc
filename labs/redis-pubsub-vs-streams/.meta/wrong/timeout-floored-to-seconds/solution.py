"""Wrong: the listener's deadline is timeout_ms floored to whole seconds (// instead of /), so with
1500 ms it stops listening after 1 s."""

import time


def notify_pubsub(r, channel, message):
    return r.publish(channel, message)


def listen_pubsub(r, channel, count, timeout_ms):
    subscriber = r.pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(channel)
    received = []
    deadline = time.monotonic() + timeout_ms // 1000
    try:
        while len(received) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            message = subscriber.get_message(timeout=left)
            if message is not None and message["type"] == "message":
                received.append(message["data"])
    finally:
        subscriber.unsubscribe(channel)
        subscriber.close()
    return received


def notify_stream(r, stream, message):
    return r.xadd(stream, {"message": message})


def _pairs(reply):
    return [[entry_id, fields["message"]] for _, entries in reply or [] for entry_id, fields in entries]


def read_stream(r, stream, after_id, count):
    return _pairs(r.xread({stream: after_id}, count=count))


def listen_stream(r, stream, after_id, timeout_ms):
    return _pairs(r.xread({stream: after_id}, block=timeout_ms))
