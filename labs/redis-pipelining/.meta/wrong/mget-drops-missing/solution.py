"""Wrong: MGET's None for missing keys filtered out: the values no longer line up with the keys."""

PROFILE = "profile:{}"
EVENT_TTL_S = 86400


# 1. Load many hashes in one round trip
def load_profiles(r, profiles):
    pipe = r.pipeline(transaction=False)
    for user_id, fields in profiles.items():
        key = PROFILE.format(user_id)
        pipe.delete(key)  # a profile replaces the old one: no field of it survives
        if fields:
            pipe.hset(key, mapping=fields)
    pipe.execute()  # an empty pipeline sends nothing
    return len(profiles)


# 2. Read many keys in one round trip
def get_many(r, keys):
    if not keys:
        return []  # MGET needs at least one key
    return [value for value in r.mget(keys) if value is not None]


# 3. A mixed pipeline, and a transaction where it must be atomic
def dashboard(r, user_id):
    pipe = r.pipeline(transaction=False)  # reads only: nothing to make atomic
    pipe.get(f"visits:{user_id}")
    pipe.hgetall(PROFILE.format(user_id))
    pipe.lrange(f"recent:{user_id}", 0, 4)
    pipe.scard(f"friends:{user_id}")
    pipe.zrevrank("leaderboard", user_id)
    visits, profile, recent, friends, rank = pipe.execute()
    return {"visits": int(visits or 0), "profile": profile, "recent": recent, "friends": friends, "rank": rank}


def record_purchase(r, user_id, order_id, amount_cents):
    pipe = r.pipeline(transaction=True)  # MULTI … EXEC: all of it or none, nobody sees half
    pipe.hset(f"order:{order_id}", mapping={"user": user_id, "amount_cents": amount_cents})
    pipe.lpush(f"recent:{user_id}", order_id)
    pipe.ltrim(f"recent:{user_id}", 0, 4)
    pipe.incrby(f"spent:{user_id}", amount_cents)
    pipe.zincrby("leaderboard", amount_cents, user_id)
    _, _, _, spent, _ = pipe.execute()
    return spent


# 4. A large batch in bounded chunks
def store_events(r, events, chunk_size):
    stored = 0
    for start in range(0, len(events), chunk_size):
        pipe = r.pipeline(transaction=False)
        for event_id, payload in events[start:start + chunk_size]:
            pipe.set(f"event:{event_id}", payload, ex=EVENT_TTL_S)
        stored += sum(1 for ok in pipe.execute() if ok)
    return stored
