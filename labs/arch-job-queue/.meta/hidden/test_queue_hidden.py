"""Hidden check for arch-job-queue: three workers against two locked jobs, and a failure
recorded between attempts."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.apps.gate import LockGate
from grader.checks.problems import Mismatch


def work(worker, name, max_attempts=4):
    return worker.call("work_one", name, 45, max_attempts, inject="postgres")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_three_workers_skip_two_locked_jobs(workers, dataset, variant):
    """three workers at once with the two oldest jobs locked: three other jobs, each paid once"""
    db = workers.db
    db.execute("DELETE FROM jobs WHERE id = ANY(%s)", (dataset.poison_jobs(variant),))
    ids = [row[0] for row in db.rows("SELECT id FROM jobs ORDER BY id")]
    procs = [workers.start() for _ in range(3)]
    locks = [("SELECT 1 FROM jobs WHERE id = ANY(%s) FOR UPDATE", (ids[:2],))]
    with ThreadPoolExecutor(3) as pool:
        with LockGate(db.admin_url, locks) as gate:
            calls = [pool.submit(work, proc, f"w{n}") for n, proc in enumerate(procs)]
            waited = gate.settle(lambda: sum(not call.done() for call in calls), 25)
        results = sorted(call.result() or 0 for call in calls)
    twice = db.scalar("SELECT count(*) FROM (SELECT job_id FROM payouts GROUP BY job_id HAVING count(*) > 1) t")
    if twice:
        raise Mismatch("a job was paid twice by workers that ran at once")
    if waited or results != ids[2:5]:
        raise Mismatch("three workers started while the two oldest jobs were locked: each must take one of the next "
                       "three jobs at once, without waiting")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_a_failure_is_recorded_and_the_job_queued_again(workers, dataset, variant):
    """after its first failure a poison job is queued again, with attempts = 1 and its error in last_error"""
    db = workers.db
    poison = dataset.poison_jobs(variant)[0]
    db.execute("DELETE FROM jobs WHERE id < %s", (poison,))
    assert work(workers.start(), "w1") == poison
    row = db.rows("SELECT status, attempts, last_error, locked_by FROM jobs WHERE id = %s", (poison,))
    if not row or row[0][:2] != ("queued", 1) or not row[0][2] or row[0][3] is not None:
        raise Mismatch("a job whose payment failed (attempt 1 of 4) must be back to status 'queued', attempts 1, "
                       "last_error set and no worker in locked_by")
