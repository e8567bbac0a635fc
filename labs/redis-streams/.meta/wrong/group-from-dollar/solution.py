"""Wrong: the group starts at $, so entries published before it was created are never delivered."""

import redis


def _entries(reply):
    """XREADGROUP's reply for one stream as [id, fields] pairs."""
    return [[entry_id, fields] for _, entries in reply or [] for entry_id, fields in entries]


def publish(r, stream, fields, maxlen):
    return r.xadd(stream, fields, maxlen=maxlen, approximate=False)


def ensure_group(r, stream, group):
    try:
        r.xgroup_create(stream, group, id="$", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def consume(r, stream, group, consumer, count):
    pending = _entries(r.xreadgroup(group, consumer, {stream: "0"}, count=count))
    if pending:
        return pending
    return _entries(r.xreadgroup(group, consumer, {stream: ">"}, count=count))


def ack(r, stream, group, ids):
    return r.xack(stream, group, *ids) if ids else 0


def reclaim(r, stream, group, consumer, min_idle_ms, count):
    _, claimed, *_ = r.xautoclaim(stream, group, consumer, min_idle_ms, start_id="0-0", count=count)
    return [[entry_id, fields] for entry_id, fields in claimed if fields is not None]
