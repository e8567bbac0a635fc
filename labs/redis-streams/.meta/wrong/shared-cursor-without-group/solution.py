"""Wrong: no consumer group. A shared "last read id" key is read, the entries after it fetched with XRANGE,
and the key moved on: consumers reading at the same moment read the same cursor and process the same
entries; nothing is ever pending, so a crashed consumer's entries are lost."""


def _cursor(stream, group):
    return f"cursor:{stream}:{group}"


def publish(r, stream, fields, maxlen):
    return r.xadd(stream, fields, maxlen=maxlen, approximate=False)


def ensure_group(r, stream, group):
    r.set(_cursor(stream, group), "0-0", nx=True)


def consume(r, stream, group, consumer, count):
    last = r.get(_cursor(stream, group)) or "0-0"
    batch = r.xrange(stream, min=f"({last}", max="+", count=count)
    if batch:
        r.set(_cursor(stream, group), batch[-1][0])
    return [[entry_id, fields] for entry_id, fields in batch]


def ack(r, stream, group, ids):
    return len(ids)


def reclaim(r, stream, group, consumer, min_idle_ms, count):
    return []
