"""WRONG: reads the next job with a plain SELECT, then claims it with an UPDATE, and completes it
without checking that it still holds the job. Two workers read the same job before either marks
it, and both pay it."""

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
    found = conn.execute("SELECT id FROM jobs WHERE status = 'queued' OR (status = 'running' AND locked_until < now()) "
                         "ORDER BY id LIMIT 1").fetchone()
    if found is None:
        return None
    job = conn.execute("UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = %s, "
                       "locked_until = now() + make_interval(secs => %s) WHERE id = %s "
                       "RETURNING id, account_id, amount_cents, attempts", (worker, lease_seconds, found[0])).fetchone()
    job_id, account_id, amount, attempts = job
    try:
        with conn.transaction():
            conn.execute("INSERT INTO payouts (job_id, account_id, amount_cents, worker) VALUES (%s, %s, %s, %s)",
                         (job_id, account_id, amount, worker))
            conn.execute("UPDATE accounts SET balance_cents = balance_cents + %s WHERE id = %s", (amount, account_id))
            conn.execute("UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL WHERE id = %s",
                         (job_id,))
    except Exception as error:  # the payment failed and was rolled back: record why
        fail(conn, job_id, worker, attempts, max_attempts, str(error).strip())
    return job_id


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
