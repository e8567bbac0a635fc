"""Redis data structures: write each function as its task in README.md asks.

Every function gets a connected redis-py client `r` (created with decode_responses=True, so
Redis hands you str, not bytes). Run `grader check redis-data-structures` to see your score.
"""


# 1. Sessions that expire
def save_session(r, token, user_id, ttl_seconds):
    raise NotImplementedError("task 1 is not done yet: write save_session()")


def load_session(r, token):
    raise NotImplementedError("task 1 is not done yet: write load_session()")


# 2. Profiles as hashes
def save_profile(r, user_id, fields):
    raise NotImplementedError("task 2 is not done yet: write save_profile()")


def load_profile(r, user_id):
    raise NotImplementedError("task 2 is not done yet: write load_profile()")


# 3. A leaderboard
def add_points(r, board, player, points):
    raise NotImplementedError("task 3 is not done yet: write add_points()")


def top(r, board, n):
    raise NotImplementedError("task 3 is not done yet: write top()")


# 4. Followers
def follow(r, follower, user):
    raise NotImplementedError("task 4 is not done yet: write follow()")


def common_followers(r, a, b):
    raise NotImplementedError("task 4 is not done yet: write common_followers()")


# 5. Counting keys by prefix
def count_keys(r, prefix):
    raise NotImplementedError("task 5 is not done yet: write count_keys()")


# 6. A work queue
def enqueue(r, queue, item):
    raise NotImplementedError("task 6 is not done yet: write enqueue()")


def dequeue(r, queue):
    raise NotImplementedError("task 6 is not done yet: write dequeue()")
