"""Alternative: explicit SCAN/HSCAN/SSCAN cursor loops and ZRANGE BYSCORE REV with LIMIT."""


def save_session(r, token, user_id, ttl_seconds):
    r.setex(f"session:{token}", ttl_seconds, user_id)


def load_session(r, token):
    value = r.get(f"session:{token}")
    return int(value) if value is not None else None


def save_profile(r, user_id, fields):
    r.hset(f"user:{user_id}", mapping=fields)


def load_profile(r, user_id):
    profile = {}
    cursor = 0
    while True:
        cursor, page = r.hscan(f"user:{user_id}", cursor)
        profile.update(page)
        if cursor == 0:
            return profile


def add_points(r, board, player, points):
    return round(r.zincrby(f"board:{board}", points, player))


def top(r, board, n):
    if n < 1:
        return []
    key = f"board:{board}"
    head = r.zrange(key, "+inf", "-inf", byscore=True, desc=True, offset=0, num=n, withscores=True)
    if not head:
        return []
    cutoff = head[-1][1]
    above = sorted((entry for entry in head if entry[1] > cutoff), key=lambda entry: (-entry[1], entry[0]))
    tied = sorted(r.zrange(key, cutoff, cutoff, byscore=True))
    return [[player, int(score)] for player, score in above] + [[p, int(cutoff)] for p in tied][: n - len(above)]


def follow(r, follower, user):
    r.sadd(f"followers:{user}", follower)


def common_followers(r, a, b):
    found = []
    cursor = 0
    while True:
        cursor, page = r.sscan(f"followers:{a}", cursor)
        if page:
            found += [m for m, member in zip(page, r.smismember(f"followers:{b}", page)) if member]
        if cursor == 0:
            return sorted(found)


def count_keys(r, prefix):
    total = 0
    cursor = 0
    while True:
        cursor, keys = r.scan(cursor, match=prefix + "*", count=250)
        total += len(keys)
        if cursor == 0:
            return total


def enqueue(r, queue, item):
    r.rpush(f"queue:{queue}", item)


def dequeue(r, queue):
    items = r.lpop(f"queue:{queue}", 1)
    return items[0] if items else None
