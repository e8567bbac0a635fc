"""Alternative: one pipeline object reused and flushed when it holds chunk_size commands, MGET unpacked,
the purchase through r.transaction() (MULTI/EXEC), the results read by name."""


def load_profiles(r, profiles):
    if not profiles:
        return 0
    pipe = r.pipeline(transaction=False)
    for user_id in profiles:
        pipe.delete("profile:" + user_id)
    for user_id, fields in profiles.items():
        for field, value in fields.items():
            pipe.hset("profile:" + user_id, field, value)
    pipe.execute()
    return len(profiles)


def get_many(r, keys):
    return r.mget(*keys) if keys else []


def dashboard(r, user_id):
    pipe = r.pipeline(transaction=False)
    queued = {
        "visits": pipe.get,
        "profile": pipe.hgetall,
        "recent": lambda key: pipe.lrange(key, 0, 4),
        "friends": pipe.scard,
    }
    for name, queue in queued.items():
        queue(f"{name}:{user_id}")
    pipe.zrevrank("leaderboard", user_id)
    results = pipe.execute()
    page = dict(zip([*queued, "rank"], results))
    page["visits"] = int(page["visits"] or 0)
    return page


def record_purchase(r, user_id, order_id, amount_cents):
    def writes(pipe):
        pipe.multi()
        pipe.zincrby("leaderboard", amount_cents, user_id)
        pipe.incrby(f"spent:{user_id}", amount_cents)
        pipe.hset(f"order:{order_id}", "user", user_id)
        pipe.hset(f"order:{order_id}", "amount_cents", amount_cents)
        pipe.lpush(f"recent:{user_id}", order_id)
        pipe.ltrim(f"recent:{user_id}", 0, 4)

    results = r.transaction(writes)
    return int(results[1])


def store_events(r, events, chunk_size):
    stored = 0
    pipe = r.pipeline(transaction=False)
    for event_id, payload in events:
        pipe.set(f"event:{event_id}", payload, ex=24 * 3600)
        if len(pipe) == chunk_size:
            stored += sum(map(bool, pipe.execute()))
    stored += sum(map(bool, pipe.execute()))
    return stored
