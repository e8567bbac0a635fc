"""Wrong: counts keys with KEYS, which blocks the server and is refused for the learner user."""


# 1. Sessions that expire
def save_session(r, token, user_id, ttl_seconds):
    r.set(f"session:{token}", user_id, ex=ttl_seconds)


def load_session(r, token):
    value = r.get(f"session:{token}")
    return None if value is None else int(value)


# 2. Profiles as hashes
def save_profile(r, user_id, fields):
    if fields:
        r.hset(f"user:{user_id}", mapping=fields)


def load_profile(r, user_id):
    return r.hgetall(f"user:{user_id}")


# 3. A leaderboard
def add_points(r, board, player, points):
    return int(r.zincrby(f"board:{board}", points, player))


def top(r, board, n):
    if n <= 0:
        return []
    key = f"board:{board}"
    entries = r.zrevrange(key, 0, n - 1, withscores=True)
    if len(entries) == n:
        entries = r.zrangebyscore(key, entries[-1][1], "+inf", withscores=True)
    ranked = sorted(entries, key=lambda entry: (-entry[1], entry[0]))
    return [[player, int(score)] for player, score in ranked[:n]]


# 4. Followers
def follow(r, follower, user):
    r.sadd(f"followers:{user}", follower)


def common_followers(r, a, b):
    return sorted(r.sinter(f"followers:{a}", f"followers:{b}"))


# 5. Counting keys by prefix
def count_keys(r, prefix):
    return len(r.keys(f"{prefix}*"))


# 6. A work queue
def enqueue(r, queue, item):
    r.rpush(f"queue:{queue}", item)


def dequeue(r, queue):
    return r.lpop(f"queue:{queue}")
