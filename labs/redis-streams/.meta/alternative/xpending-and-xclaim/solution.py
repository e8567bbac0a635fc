"""Alternative: raw XREADGROUP replies, and reclaiming written as XPENDING with an IDLE filter followed by
XCLAIM with the same min-idle (XCLAIM re-checks the idle time, so an entry touched meanwhile stays put)."""


def publish(r, stream, fields, maxlen):
    args = [item for pair in fields.items() for item in pair]
    return r.execute_command("XADD", stream, "MAXLEN", "=", maxlen, "*", *args)


def ensure_group(r, stream, group):
    if any(info["name"] == group for info in _groups(r, stream)):
        return
    r.execute_command("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")


def _groups(r, stream):
    return r.xinfo_groups(stream) if r.exists(stream) else []


def _read(r, stream, group, consumer, count, start):
    reply = r.execute_command("XREADGROUP", "GROUP", group, consumer, "COUNT", count, "STREAMS", stream, start)
    if not reply:
        return []
    found = reply[stream] if isinstance(reply, dict) else reply[0][1]
    if found and isinstance(found[0], list) and len(found) == 1 and isinstance(found[0][0], list):
        found = found[0]
    return [[entry_id, _fields(fields)] for entry_id, fields in found]


def _fields(raw):
    if isinstance(raw, dict):
        return raw
    return dict(zip(raw[::2], raw[1::2]))


def consume(r, stream, group, consumer, count):
    return _read(r, stream, group, consumer, count, "0") or _read(r, stream, group, consumer, count, ">")


def ack(r, stream, group, ids):
    return int(r.execute_command("XACK", stream, group, *ids)) if ids else 0


def reclaim(r, stream, group, consumer, min_idle_ms, count):
    idle = r.xpending_range(stream, group, min="-", max="+", count=count, idle=min_idle_ms)
    wanted = [row["message_id"] for row in idle]
    if not wanted:
        return []
    claimed = r.xclaim(stream, group, consumer, min_idle_ms, wanted)
    order = {entry_id: index for index, entry_id in enumerate(wanted)}
    return sorted([[entry_id, fields] for entry_id, fields in claimed if fields], key=lambda e: order[e[0]])
