"""Public checks for arch-job-queue. Each check gets its own copy of the `jobqueue` database and
starts your solution.py in worker processes (each its own sandbox). The grader is the nemesis:
it holds row locks to stop workers at a chosen point, kills a worker mid-job, and moves a lease
into the past instead of waiting for it. They run on the public data and again on a hidden one."""

import contextlib
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from grader.apps.gate import LockGate
from grader.checks.problems import Mismatch, SubmissionProblem

LEASE = 60        # seconds: long enough that a lease never runs out by itself during a check
MAX_ATTEMPTS = 3
SETTLE_S = 25


def work(worker, name, lease=LEASE, max_attempts=MAX_ATTEMPTS):
    return worker.call("work_one", name, lease, max_attempts, inject="postgres")


def healthy_jobs(db, dataset, variant):
    """The queue without its poison jobs, oldest first: [(id, account_id, amount_cents)]."""
    poison = dataset.poison_jobs(variant)
    return [row for row in db.rows("SELECT id, account_id, amount_cents FROM jobs ORDER BY id") if row[0] not in poison]


def drop_poison(db, dataset, variant):
    db.execute("DELETE FROM jobs WHERE id = ANY(%s)", (dataset.poison_jobs(variant),))


def payouts_per_job(db):
    return dict(db.rows("SELECT job_id, count(*) FROM payouts GROUP BY job_id"))


def named(job_id, reveal):
    return f"job {job_id}" if reveal else "a job"


def no_job_paid_twice(db, reveal):
    for job_id, count in sorted(payouts_per_job(db).items()):
        if count > 1:
            raise Mismatch(f"{named(job_id, reveal)} was paid {count} times: two workers took the same job. Claim a "
                           "job with one statement that locks the row it picks (FOR UPDATE SKIP LOCKED) and marks it "
                           "running before the lock is released")


def drain(worker, name, limit):
    taken = []
    for _ in range(limit):
        job = work(worker, name)
        if job is None:
            return taken
        taken.append(job)
    raise Mismatch(f"work_one() still found work after {limit} calls: a job keeps coming back (is a failed job "
                   "retried forever?)")


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_one_worker_pays_every_job_once_oldest_first(workers, dataset, variant):
    """one worker drains the queue: oldest job first, each paid exactly once, balances right, jobs done"""
    db, reveal = workers.db, variant == "public"
    drop_poison(db, dataset, variant)
    jobs = healthy_jobs(db, dataset, variant)
    before = dict(db.rows("SELECT id, balance_cents FROM accounts"))
    taken = drain(workers.start(), "worker-a", limit=len(jobs) + 5)
    expected = [job_id for job_id, _, _ in jobs]
    if taken != expected:
        detail = f": expected {expected}, got {taken}" if reveal else ""
        raise Mismatch(f"work_one() must return each job's id, oldest (lowest id) first, then None{detail}")
    no_job_paid_twice(db, reveal)
    paid = {row[0]: row[1:] for row in db.rows("SELECT job_id, account_id, amount_cents FROM payouts")}
    for job_id, account, amount in jobs:
        if paid.get(job_id) != (account, amount):
            raise Mismatch(f"{named(job_id, reveal)} has no payouts row with its account_id and amount_cents")
    for account, balance in db.rows("SELECT id, balance_cents FROM accounts"):
        owed = sum(amount for _, to, amount in jobs if to == account)
        if balance != before[account] + owed:
            which = f"account {account}" if reveal else "an account"
            raise Mismatch(f"{which} should hold its old balance plus what its jobs paid")
    left = db.scalar("SELECT count(*) FROM jobs WHERE status <> 'done'")
    assert left == 0, f"{left} paid job(s) are not marked status = 'done'"
    assert db.scalar("SELECT count(*) FROM jobs WHERE locked_by IS NOT NULL OR locked_until IS NOT NULL") == 0, \
        "a done job still has locked_by / locked_until set: clear them when the job is done"


def take_over(db, job):
    """Do to `job` what another worker does once its lease has run out: claim it for itself. False when the
    paying worker holds the job's row in its own transaction (then nobody can take it over mid-payment)."""
    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        conn.execute("SET lock_timeout = '3s'")
        try:
            conn.execute("UPDATE jobs SET locked_by = 'worker-b', attempts = attempts + 1, "
                         "locked_until = now() + interval '60 seconds' WHERE id = %s", (job,))
        except psycopg.errors.LockNotAvailable:
            return False
    return True


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_worker_that_lost_its_lease_does_not_complete(workers, dataset, variant):
    """a job taken over by another worker while its first worker was paying: that payment does not count"""
    db, reveal = workers.db, variant == "public"
    drop_poison(db, dataset, variant)
    job, account, _ = healthy_jobs(db, dataset, variant)[0]
    balance = db.scalar("SELECT balance_cents FROM accounts WHERE id = %s", (account,))
    a = workers.start()
    with ThreadPoolExecutor(1) as pool:
        with LockGate(db.admin_url, [("SELECT 1 FROM accounts WHERE id = %s FOR UPDATE", (account,))]) as gate:
            call = pool.submit(work, a, "worker-a")
            if not gate.settle(lambda: 0 if call.done() else 1, SETTLE_S):
                call.result()  # its own error, if any
                raise Mismatch("work_one() finished a job while the grader held a lock on its account's row: the "
                               "payment must add amount_cents to accounts.balance_cents")
            taken_over = take_over(db, job)  # worker-a's lease ran out and worker-b claimed the job
        call.result()
    if not taken_over:
        return  # worker-a held its job's row while paying: its own statements decided whether it still owned it
    which = named(job, reveal)
    if payouts_per_job(db).get(job) or db.scalar("SELECT balance_cents FROM accounts WHERE id = %s",
                                                 (account,)) != balance:
        raise Mismatch(f"{which} was taken over by worker-b (worker-a's lease had run out) while worker-a was paying "
                       "it, and worker-a's payment was committed anyway: worker-b will pay it again. Mark the job "
                       "done with `... WHERE id = %s AND locked_by = %s AND status = 'running'` in the payment's "
                       "transaction, and roll the whole payment back when that updates no row")
    state = db.rows("SELECT status, locked_by FROM jobs WHERE id = %s", (job,))
    assert state == [("running", "worker-b")], (
        f"{which} belongs to worker-b now; worker-a must leave it as it is (status 'running', locked_by 'worker-b')")


@pytest.mark.task(2)
@pytest.mark.points(4)
def test_workers_skip_a_job_another_worker_holds(workers, dataset, variant):
    """two workers at once never take the same job, and never wait for a job someone else has locked"""
    db, reveal = workers.db, variant == "public"
    drop_poison(db, dataset, variant)
    jobs = healthy_jobs(db, dataset, variant)
    first = jobs[0][0]
    a, b = workers.start(), workers.start()
    with ThreadPoolExecutor(2) as pool:
        with LockGate(db.admin_url, [("SELECT 1 FROM jobs WHERE id = %s FOR UPDATE", (first,))]) as gate:
            calls = [pool.submit(work, a, "worker-a"), pool.submit(work, b, "worker-b")]
            waited = gate.settle(lambda: sum(not call.done() for call in calls), SETTLE_S)
        results = [call.result() for call in calls]
    no_job_paid_twice(db, reveal)
    if waited:
        raise Mismatch(f"while another transaction held {named(first, reveal)} locked, {waited} worker(s) waited for "
                       "it instead of taking the next job: add SKIP LOCKED to the FOR UPDATE that picks a job")
    if None in results or len(set(results)) != 2 or first in results:
        shown = f" (they returned {results})" if reveal else ""
        raise Mismatch(f"two workers started while the oldest job was locked: each must take a different free job"
                       f"{shown}")


@pytest.mark.task(3)
@pytest.mark.points(4)
def test_a_job_whose_worker_died_is_retried_after_its_lease(workers, dataset, variant):
    """a worker killed mid-job: nothing is paid, the job stays leased, and is retried once the lease runs out"""
    db, reveal = workers.db, variant == "public"
    drop_poison(db, dataset, variant)
    jobs = healthy_jobs(db, dataset, variant)
    job, account = jobs[0][0], jobs[0][1]
    a, b = workers.start(), workers.start()
    with ThreadPoolExecutor(1) as pool:
        with LockGate(db.admin_url, [("SELECT 1 FROM accounts WHERE id = %s FOR UPDATE", (account,))]) as gate:
            call = pool.submit(work, a, "worker-a")
            if not gate.settle(lambda: 0 if call.done() else 1, SETTLE_S):
                call.result()  # its own error, if any
                raise Mismatch("work_one() finished a job while the grader held a lock on its account's row: the "
                               "payment must add amount_cents to accounts.balance_cents")
            a.kill()  # mid-job: the job is claimed, its payment waits on the account
            gate.terminate_waiters()
        with contextlib.suppress(SubmissionProblem):
            call.result()  # the worker died: that was the point
    which = named(job, reveal)
    if payouts_per_job(db).get(job):
        raise Mismatch(f"{which} was paid although its worker died before finishing: write the payout, the balance "
                       "and status 'done' in ONE transaction, so a crash leaves none of them")
    state = db.rows("SELECT status, locked_until > now() + interval '30 seconds' FROM jobs WHERE id = %s", (job,))
    if not state:
        raise Mismatch(f"{which} is gone from jobs after its worker died mid-job: never delete or finish a job "
                       "before its work is committed")
    if state[0] != ("running", True):
        raise Mismatch(f"after its worker died mid-job, {which} should still be claimed (status 'running', "
                       f"locked_until = claim time + lease_seconds); it is status '{state[0][0]}'"
                       + ("" if state[0][1] else " without a lease in the future"))
    other = work(b, "worker-b")
    if other == job:
        raise Mismatch(f"another worker took {which} while its lease had not run out: only a 'running' job whose "
                       "locked_until is in the past is due again")
    db.execute("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = %s", (job,))  # time passes
    retried = work(b, "worker-b")
    if retried != job:
        raise Mismatch(f"{which}'s lease ran out (locked_until is in the past) but the next work_one() did not "
                       "retry it: a running job whose lease expired is due again, and the oldest due job comes first")
    no_job_paid_twice(db, reveal)
    assert payouts_per_job(db).get(job) == 1, f"{which} was retried but not paid"
    assert db.scalar("SELECT attempts FROM jobs WHERE id = %s", (job,)) == 2, \
        "attempts counts the claims of a job: the killed one and the retry make 2"


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_poison_jobs_go_to_dead_jobs(workers, dataset, variant):
    """a job that keeps failing is tried max_attempts times, then moved to dead_jobs with its error"""
    db, reveal = workers.db, variant == "public"
    poison = dataset.poison_jobs(variant)
    frozen = db.rows("SELECT j.id, j.account_id FROM jobs j JOIN accounts a ON a.id = j.account_id WHERE a.frozen")
    balance = db.scalar("SELECT balance_cents FROM accounts WHERE id = %s", (frozen[0][1],))
    count = db.scalar("SELECT count(*) FROM jobs")
    taken = drain(workers.start(), "worker-a", limit=count * MAX_ATTEMPTS + 5)
    for job in poison:
        tries = taken.count(job)
        if tries != MAX_ATTEMPTS:
            raise Mismatch(f"{named(job, reveal)} fails every time; with max_attempts={MAX_ATTEMPTS} it must be tried "
                           f"exactly {MAX_ATTEMPTS} times, not {tries}")
    dead = {row[0]: row[1:] for row in db.rows("SELECT job_id, attempts, last_error FROM dead_jobs")}
    for job in poison:
        which = named(job, reveal)
        if job not in dead:
            raise Mismatch(f"{which} failed {MAX_ATTEMPTS} times but is not in dead_jobs")
        if dead[job][0] != MAX_ATTEMPTS or not (dead[job][1] or "").strip():
            raise Mismatch(f"{which} in dead_jobs must keep its attempts ({MAX_ATTEMPTS}) and the last error")
    if set(dead) != set(poison):
        raise Mismatch("only jobs that failed max_attempts times belong in dead_jobs")
    assert "frozen" in dead[frozen[0][0]][1], "dead_jobs.last_error must be the database's error message"
    assert db.scalar("SELECT count(*) FROM jobs WHERE id = ANY(%s)", (poison,)) == 0, \
        "a dead job must leave the jobs table"
    assert db.scalar("SELECT count(*) FROM payouts WHERE job_id = ANY(%s)", (poison,)) == 0, "a failed job was paid"
    assert db.scalar("SELECT balance_cents FROM accounts WHERE id = %s", (frozen[0][1],)) == balance, \
        "a failed payout changed the frozen account's balance: roll the whole payment back"
    assert db.scalar("SELECT count(*) FROM jobs WHERE status <> 'done'") == 0, "a poison job held up the others"
