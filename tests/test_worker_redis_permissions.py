"""A learner's refused Redis command (KEYS as the restricted user) comes back as advice, on a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.checks.problems import SubmissionProblem
from grader.isolation.redis import RedisLease
from grader.services.session import ServicePool
from grader.worker.client import Worker

SOLUTION = '''
def every_key(r):
    return r.keys("*")

def scanned(r):
    return sorted(r.scan_iter())

def listen_everywhere(r):
    listener = r.pubsub()
    listener.psubscribe("*")
    return listener.get_message(timeout=2)
'''


def test_keys_is_refused_with_advice_and_scan_works(tmp_path: Path, pool: ServicePool) -> None:
    (tmp_path / "solution.py").write_text(SOLUTION)
    lease = RedisLease(pool.get("redis").url)
    worker = Worker(tmp_path, {"GRADER_REDIS_URL": lease.learner_url()}, timeout_s=5)
    try:
        lease.client.set("a", "1")
        with pytest.raises(SubmissionProblem) as caught:
            worker.call("every_key", inject="redis")
        message = str(caught.value)
        assert "NoPermissionError" in message and "'keys'" in message
        assert "@dangerous" in message and "SCAN" in message
        assert worker.call("scanned", inject="redis") == ["a"]
        with pytest.raises(SubmissionProblem) as caught:
            worker.call("listen_everywhere", inject="redis")
        assert "NoPermissionError" in str(caught.value) and "exactly the channel you were given" in str(caught.value)
    finally:
        worker.close()
        lease.close()


def test_two_leases_on_one_server_never_hear_each_other(pool: ServicePool) -> None:
    """Pub/sub is server-wide: each lease's user may use only its own channels, so runs that name a channel
    alike (checks derive names from the same seed) cannot count or receive each other's messages."""
    import redis

    first, second = RedisLease(pool.get("redis").url), RedisLease(pool.get("redis").url)
    clients = [redis.Redis.from_url(lease.learner_url(), decode_responses=True) for lease in (first, second)]
    try:
        assert first.channel_prefix != second.channel_prefix
        listener = clients[0].pubsub()
        listener.subscribe(f"{first.channel_prefix}news")
        assert clients[1].publish(f"{second.channel_prefix}news", "not for the first run") == 0
        with pytest.raises(redis.exceptions.NoPermissionError):
            clients[1].publish(f"{first.channel_prefix}news", "into another run")
        outsider = clients[1].pubsub()
        outsider.subscribe("news")  # the refusal is the reply, read with the next message
        with pytest.raises(redis.exceptions.NoPermissionError):
            outsider.get_message(timeout=2)
        outsider.close()
        assert clients[0].publish(f"{first.channel_prefix}news", "own") == 1
        listener.close()
    finally:
        for client in clients:
            client.close()
        first.close()
        second.close()


def test_server_wide_script_and_function_state_is_out_of_reach(pool: ServicePool) -> None:
    """The script cache and Redis functions are shared by every run on the server: a lease may run scripts
    but neither flush the cache nor load, delete or flush functions."""
    import redis

    lease = RedisLease(pool.get("redis").url)
    client = redis.Redis.from_url(lease.learner_url(), decode_responses=True)
    try:
        assert client.eval("return redis.call('SET', KEYS[1], ARGV[1])", 1, "k", "v") == "OK"
        sha = client.script_load("return 1")
        for refused in (["SCRIPT", "FLUSH"], ["FUNCTION", "FLUSH"], ["FUNCTION", "DELETE", "lib"],
                        ["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"]):
            with pytest.raises(redis.exceptions.NoPermissionError):
                client.execute_command(*refused)
        assert client.evalsha(sha, 0) == 1
    finally:
        client.close()
        lease.close()
