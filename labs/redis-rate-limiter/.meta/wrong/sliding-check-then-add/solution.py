"""Wrong: counts the window in one command, then adds in another: requests arriving together all see room."""

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
    allowed, retry_after = r.register_script(FIXED)(keys=[f"rate:{user}"], args=[limit, window_ms])
    return [bool(allowed), int(retry_after)]


def allow_sliding(r, user, limit, window_ms):
    import secrets

    key = f"rate:sliding:{user}"
    seconds, micros = r.time()
    now_ms = seconds * 1000 + micros // 1000
    recent = r.zrangebyscore(key, f"({now_ms - window_ms}", "+inf", withscores=True)
    if len(recent) >= limit:
        return [False, max(1, int(recent[0][1] + window_ms - now_ms))]
    pipe = r.pipeline(transaction=True)  # trims, adds and expires together, but decided on a count read before
    pipe.zremrangebyscore(key, "-inf", now_ms - window_ms)
    pipe.zadd(key, {f"{now_ms}-{secrets.token_hex(4)}": now_ms})
    pipe.pexpire(key, window_ms)
    pipe.execute()
    return [True, 0]
