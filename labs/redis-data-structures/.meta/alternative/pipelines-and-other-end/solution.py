"""Alternative: transactions and pipelines, LPUSH + RPOP, the whole board sorted in Python."""


def save_session(r, token, user_id, ttl_seconds):
    # SET then EXPIRE in one MULTI/EXEC transaction: no moment without a lifetime is visible to others.
    with r.pipeline(transaction=True) as pipe:
        pipe.set(f"session:{token}", str(user_id))
        pipe.expire(f"session:{token}", ttl_seconds)
        pipe.execute()


def load_session(r, token):
    value = r.get(f"session:{token}")
    if value is None:
        return None
    return int(value)


def save_profile(r, user_id, fields):
    with r.pipeline(transaction=True) as pipe:
        for field, value in fields.items():
            pipe.hset(f"user:{user_id}", field, value)
        pipe.execute()


def load_profile(r, user_id):
    return dict(r.hgetall(f"user:{user_id}"))


def add_points(r, board, player, points):
    with r.pipeline(transaction=True) as pipe:
        pipe.zincrby(f"board:{board}", points, player)
        (total,) = pipe.execute()
    return int(total)


def top(r, board, n):
    everyone = r.zrange(f"board:{board}", 0, -1, withscores=True)
    ranked = sorted(everyone, key=lambda entry: (-entry[1], entry[0]))
    return [[player, int(score)] for player, score in ranked[: max(n, 0)]]


def follow(r, follower, user):
    r.sadd(f"followers:{user}", follower)


def common_followers(r, a, b):
    both = r.smembers(f"followers:{a}") & r.smembers(f"followers:{b}")
    return sorted(both)


def count_keys(r, prefix):
    return sum(1 for _ in r.scan_iter(match=prefix + "*", count=1000))


def enqueue(r, queue, item):
    r.lpush(f"queue:{queue}", item)


def dequeue(r, queue):
    return r.rpop(f"queue:{queue}")
