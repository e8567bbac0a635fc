"""Alternative: acquire as one Lua script (SET NX PX and INCR together, so a fence is never lost), release
through a cached script (EVALSHA, reloaded after NOSCRIPT), and the resource guarded by an optimistic
transaction (WATCH, compare, MULTI/EXEC, retry if another write came in between)."""

import uuid

import redis

ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return redis.call('INCR', KEYS[2])
end
return false
"""
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"


def acquire(r, name, ttl_ms):
    token = uuid.uuid4().hex
    fence = r.register_script(ACQUIRE)(keys=[f"lock:{name}", f"fence:{name}"], args=[token, ttl_ms])
    return None if fence is None else [token, int(fence)]


def release(r, name, token):
    return bool(r.register_script(RELEASE)(keys=[f"lock:{name}"], args=[token]))


def write_fenced(r, resource, fence, value):
    key = f"resource:{resource}"
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                stored = pipe.hget(key, "fence")
                if stored is not None and int(fence) < int(stored):
                    pipe.unwatch()
                    return False
                pipe.multi()
                pipe.hset(key, mapping={"fence": fence, "value": value})
                pipe.execute()
                return True
            except redis.WatchError:
                continue
