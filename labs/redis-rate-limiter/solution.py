"""Rate limiting with Redis: write each function as its task in README.md asks.

Every function gets a redis-py client `r` (decode_responses=True) and returns [allowed, retry_after_ms].
Run `grader check redis-rate-limiter` to see your score.
"""


# 1. and 2. A fixed window per user, with Retry-After
def allow(r, user, limit, window_ms):
    raise NotImplementedError("tasks 1 and 2 are not done yet: write allow()")


# 3. A sliding window per user
def allow_sliding(r, user, limit, window_ms):
    raise NotImplementedError("task 3 is not done yet: write allow_sliding()")
