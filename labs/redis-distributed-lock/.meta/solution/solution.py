"""Reference solution for redis-distributed-lock: SET NX PX with a random token, Lua compare-and-delete,
and a resource that refuses writes with an older fence."""

import secrets

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

WRITE_FENCED = """
local stored = redis.call('HGET', KEYS[1], 'fence')
if stored and tonumber(ARGV[1]) < tonumber(stored) then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'value', ARGV[2])
return 1
"""


def acquire(r, name, ttl_ms):
    token = secrets.token_hex(16)
    if not r.set(f"lock:{name}", token, nx=True, px=ttl_ms):
        return None
    return [token, r.incr(f"fence:{name}")]


def release(r, name, token):
    return r.eval(RELEASE, 1, f"lock:{name}", token) == 1


def write_fenced(r, resource, fence, value):
    return r.eval(WRITE_FENCED, 1, f"resource:{resource}", fence, value) == 1
