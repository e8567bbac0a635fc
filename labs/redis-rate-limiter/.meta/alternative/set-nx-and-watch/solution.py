"""Alternative: the fixed window created with SET NX PX and counted with INCR (no script); the sliding
window as an optimistic transaction (WATCH the log, MULTI/EXEC, retry when another request changed it)."""

import uuid

import redis


def allow(r, user, limit, window_ms):
    key = f"rate:{user}"
    r.set(key, 0, nx=True, px=window_ms)  # the window and its expiry are born together
    if r.incr(key) <= limit:
        return [True, 0]
    return [False, max(1, r.pttl(key))]


def allow_sliding(r, user, limit, window_ms):
    key = f"rate:sliding:{user}"
    with r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                seconds, micros = pipe.time()
                now_ms = seconds * 1000 + micros // 1000
                recent = [score for _, score in pipe.zrange(key, 0, -1, withscores=True) if score > now_ms - window_ms]
                pipe.multi()
                pipe.zremrangebyscore(key, "-inf", now_ms - window_ms)
                if len(recent) < limit:
                    pipe.zadd(key, {f"{now_ms}-{uuid.uuid4().hex}": now_ms})
                    pipe.pexpire(key, window_ms)
                pipe.execute()
            except redis.WatchError:
                continue
            if len(recent) < limit:
                return [True, 0]
            return [False, max(1, int(min(recent) + window_ms - now_ms))]
