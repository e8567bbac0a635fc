"""Wrong: INCR, then PEXPIRE as a second call: a process dying in between leaves a counter that never expires."""

FIXED = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return {1, 0} end
return {0, redis.call('PTTL', KEYS[1])}
"""

SLIDING = """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - window)
if redis.call('ZCARD', KEYS[1]) < limit then
    redis.call('ZADD', KEYS[1], now_ms, now_ms .. '-' .. now[2] .. '-' .. ARGV[3])
    redis.call('PEXPIRE', KEYS[1], window)
    return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, math.max(1, tonumber(oldest[2]) + window - now_ms)}
"""


def allow(r, user, limit, window_ms):
    key = f"rate:{user}"
    count = r.incr(key)
    if count == 1:
        r.pexpire(key, window_ms)
    if count <= limit:
        return [True, 0]
    return [False, r.pttl(key)]


def allow_sliding(r, user, limit, window_ms):
    import secrets

    script = r.register_script(SLIDING)
    allowed, retry_after = script(keys=[f"rate:sliding:{user}"], args=[limit, window_ms, secrets.token_hex(4)])
    return [bool(allowed), int(retry_after)]
