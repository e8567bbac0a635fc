"""Notifications with pub/sub and with streams: write each function as its task in README.md asks.

Every function gets a redis-py client `r` (decode_responses=True). Run
`grader check redis-pubsub-vs-streams` to see your score.
"""


# 1. Publishing with pub/sub
def notify_pubsub(r, channel, message):
    raise NotImplementedError("task 1 is not done yet: write notify_pubsub()")


# 2. Listening with pub/sub
def listen_pubsub(r, channel, count, timeout_ms):
    raise NotImplementedError("task 2 is not done yet: write listen_pubsub()")


# 3. Publishing to a stream and replaying it
def notify_stream(r, stream, message):
    raise NotImplementedError("task 3 is not done yet: write notify_stream()")


def read_stream(r, stream, after_id, count):
    raise NotImplementedError("task 3 is not done yet: write read_stream()")


# 4. Listening to a stream without gaps
def listen_stream(r, stream, after_id, timeout_ms):
    raise NotImplementedError("task 4 is not done yet: write listen_stream()")
