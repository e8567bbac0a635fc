"""Work queues with Redis Streams: write each function as its task in README.md asks.

Every function gets a redis-py client `r` (decode_responses=True). Entries are [id, fields] lists.
Run `grader check redis-streams` to see your score.
"""


# 1. A bounded stream
def publish(r, stream, fields, maxlen):
    raise NotImplementedError("task 1 is not done yet: write publish()")


# 2. A consumer group
def ensure_group(r, stream, group):
    raise NotImplementedError("task 2 is not done yet: write ensure_group()")


def consume(r, stream, group, consumer, count):
    raise NotImplementedError("task 2 is not done yet: write consume()")


# 3. Acknowledging
def ack(r, stream, group, ids):
    raise NotImplementedError("task 3 is not done yet: write ack()")


# 4. Reclaiming a dead consumer's entries
def reclaim(r, stream, group, consumer, min_idle_ms, count):
    raise NotImplementedError("task 4 is not done yet: write reclaim()")
