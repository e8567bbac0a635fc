"""Races, crashes and command reading on a real Redis: the write gate makes a read-then-write race
happen on every run, a worker can be killed after n replies, and MONITOR shows what a call sent."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.checks.contenders import call_together
from grader.checks.problems import SubmissionProblem
from grader.checks.redis_monitor import commands_seen
from grader.isolation.redis import RedisLease
from grader.services.session import ServicePool
from grader.worker.__main__ import CRASH_EXIT
from grader.worker.client import Worker

SOLUTION = '''
def racy_claim(r, key, me):
    if r.get(key) is None:
        r.set(key, me)
        return True
    return False

def atomic_claim(r, key, me):
    return bool(r.set(key, me, nx=True))

def two_steps(r, key):
    r.incr(key)
    r.expire(key, 60)

def in_a_script(r, key):
    return r.eval("redis.call('INCR', KEYS[1]) return redis.call('EXPIRE', KEYS[1], 60)", 1, key)
'''


@pytest.fixture
def lease(pool: ServicePool) -> Iterator[RedisLease]:
    lease = RedisLease(pool.get("redis").url)
    yield lease
    lease.close()


@pytest.fixture
def workers(tmp_path: Path, lease: RedisLease) -> Iterator[list[Worker]]:
    (tmp_path / "solution.py").write_text(SOLUTION)
    started = [Worker(tmp_path, {"GRADER_REDIS_URL": lease.learner_url()}, timeout_s=10) for _ in range(6)]
    yield started
    for worker in started:
        worker.close()


def gate(lease: RedisLease):  # type: ignore[no-untyped-def]
    from grader.checks.contenders import WriteGate

    return WriteGate(lease.admin, lease.db, lease.user)


@pytest.mark.parametrize("attempt", range(3))
def test_the_gate_makes_a_read_then_write_race_certain(workers: list[Worker], lease: RedisLease, attempt: int) -> None:
    run = call_together(workers, "racy_claim", [(f"k{attempt}", str(i)) for i in range(len(workers))], gate(lease),
                        inject="redis")
    assert run.all_waited
    assert run.values() == [True] * len(workers)  # every contender read the key empty


def test_an_atomic_claim_has_one_winner_through_the_gate(workers: list[Worker], lease: RedisLease) -> None:
    run = call_together(workers, "atomic_claim", [("k", str(i)) for i in range(len(workers))], gate(lease),
                        inject="redis")
    assert sorted(run.values()) == [False] * (len(workers) - 1) + [True]
    assert lease.client.get("k") in {str(i) for i in range(len(workers))}


def test_a_crash_after_one_reply_lands_between_two_steps(workers: list[Worker], lease: RedisLease) -> None:
    worker = workers[0]
    with pytest.raises(SubmissionProblem, match="ended the Python process"):
        worker.call("two_steps", "counter", inject="redis", crash_after_replies=1)
    assert worker.last_exit == CRASH_EXIT
    assert lease.client.get("counter") == "1" and lease.client.ttl("counter") == -1  # INCR ran, EXPIRE never did
    with contextlib.suppress(SubmissionProblem):
        worker.call("in_a_script", "scripted", inject="redis", crash_after_replies=1)
    assert lease.client.ttl("scripted") > 0  # one command: nothing to crash between
    worker.call("two_steps", "after", inject="redis")  # the worker restarts and behaves normally again
    assert lease.client.ttl("after") > 0


def test_monitor_tells_script_commands_from_client_commands(workers: list[Worker], lease: RedisLease) -> None:
    with commands_seen(lease) as seen:
        workers[0].call("two_steps", "plain", inject="redis")
        workers[0].call("in_a_script", "scripted", inject="redis")
    names = [(c.name, c.from_script) for c in seen if c.name not in ("SELECT", "CLIENT", "HELLO")]
    assert names == [("INCRBY", False), ("EXPIRE", False), ("EVAL", False), ("INCR", True), ("EXPIRE", True)]
