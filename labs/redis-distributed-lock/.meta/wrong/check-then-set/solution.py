"""Wrong: looks whether the lock is free, then sets it: processes that look together all see it free."""

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
    if r.get(f"lock:{name}") is not None:
        return None
    r.set(f"lock:{name}", token, px=ttl_ms)
    return [token, r.incr(f"fence:{name}")]


def release(r, name, token):
    return r.eval(RELEASE, 1, f"lock:{name}", token) == 1


def write_fenced(r, resource, fence, value):
    return r.eval(WRITE_FENCED, 1, f"resource:{resource}", fence, value) == 1
