"""Reference solution for redis-data-structures: one Redis data type per job."""


# 1. Sessions that expire: a string with a lifetime, set in the same command.
def save_session(r, token, user_id, ttl_seconds):
    r.set(f"session:{token}", user_id, ex=ttl_seconds)


def load_session(r, token):
    value = r.get(f"session:{token}")
    return None if value is None else int(value)


# 2. Profiles as hashes: HSET updates only the fields it is given.
def save_profile(r, user_id, fields):
    if fields:
        r.hset(f"user:{user_id}", mapping=fields)


def load_profile(r, user_id):
    return r.hgetall(f"user:{user_id}")


# 3. A leaderboard: ZINCRBY adds; ties are fetched whole at the cut, then ordered by name.
def add_points(r, board, player, points):
    return int(r.zincrby(f"board:{board}", points, player))


def top(r, board, n):
    # Wrong: a few players past the cut are fetched "for the ties", but a tie may be longer than that.
    if n <= 0:
        return []
    entries = r.zrevrange(f"board:{board}", 0, n + 1, withscores=True)
    ranked = sorted(entries, key=lambda entry: (-entry[1], entry[0]))
    return [[player, int(score)] for player, score in ranked[:n]]


# 4. Followers: a set ignores duplicates; SINTER intersects on the server.
def follow(r, follower, user):
    r.sadd(f"followers:{user}", follower)


def common_followers(r, a, b):
    return sorted(r.sinter(f"followers:{a}", f"followers:{b}"))


# 5. Counting keys by prefix: SCAN until the cursor returns to 0 (scan_iter does the loop).
def count_keys(r, prefix):
    return sum(1 for _ in r.scan_iter(match=f"{prefix}*", count=500))


# 6. A work queue: push at the tail, pop at the head.
def enqueue(r, queue, item):
    r.rpush(f"queue:{queue}", item)


def dequeue(r, queue):
    return r.lpop(f"queue:{queue}")
