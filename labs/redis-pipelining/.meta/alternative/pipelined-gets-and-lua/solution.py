"""Alternative: GETs in one pipeline instead of MGET, MULTI/EXEC pipelines everywhere, a Lua script for the
purchase (atomic as one command), chunks cut with itertools.islice."""

from itertools import islice

PURCHASE = """
redis.call('HSET', KEYS[1], 'user', ARGV[1], 'amount_cents', ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, 4)
redis.call('ZINCRBY', KEYS[4], ARGV[3], ARGV[1])
return redis.call('INCRBY', KEYS[3], ARGV[3])
"""


def load_profiles(r, profiles):
    with r.pipeline() as pipe:
        for user_id, fields in profiles.items():
            pipe.unlink(f"profile:{user_id}")
            if fields:
                pipe.hset(f"profile:{user_id}", mapping=dict(fields))
        pipe.execute()
    return len(profiles)


def get_many(r, keys):
    with r.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.get(key)
        return pipe.execute()


def dashboard(r, user_id):
    with r.pipeline() as pipe:
        results = (pipe.get(f"visits:{user_id}").hgetall(f"profile:{user_id}").lrange(f"recent:{user_id}", 0, 4)
                   .scard(f"friends:{user_id}").zrevrank("leaderboard", user_id).execute())
    names = ["visits", "profile", "recent", "friends", "rank"]
    page = dict(zip(names, results))
    page["visits"] = int(page["visits"]) if page["visits"] is not None else 0
    return page


def record_purchase(r, user_id, order_id, amount_cents):
    script = r.register_script(PURCHASE)
    keys = [f"order:{order_id}", f"recent:{user_id}", f"spent:{user_id}", "leaderboard"]
    return int(script(keys=keys, args=[user_id, order_id, amount_cents]))


def store_events(r, events, chunk_size):
    stored = 0
    remaining = iter(events)
    while chunk := list(islice(remaining, chunk_size)):
        with r.pipeline() as pipe:
            for event_id, payload in chunk:
                pipe.set("event:" + event_id, payload, ex=86400)
            stored += len([ok for ok in pipe.execute() if ok])
    return stored
