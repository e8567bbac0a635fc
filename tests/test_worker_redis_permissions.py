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
    finally:
        worker.close()
        lease.close()
