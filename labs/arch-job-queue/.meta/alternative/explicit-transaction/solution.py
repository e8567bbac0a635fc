"""Also correct, written differently: the claim is a SELECT … FOR UPDATE SKIP LOCKED and an UPDATE in
one explicit transaction; the payment is one statement of data-modifying CTEs, fenced by the lease;
a dead job moves with DELETE … RETURNING feeding the INSERT."""

import psycopg

DUE = "(status = 'queued' OR (status = 'running' AND locked_until < now()))"


def claim(conn, worker, lease_seconds):
    with conn.transaction():
        row = conn.execute(f"SELECT id FROM jobs WHERE {DUE} ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED").fetchone()
        if row is None:
            return None
        return conn.execute(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = %s, "
            "locked_until = clock_timestamp() + %s * interval '1 second' WHERE id = %s "
            "RETURNING id, account_id, amount_cents, attempts", (worker, lease_seconds, row[0])).fetchone()


PAY = """
WITH mine AS (
    UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL
     WHERE id = %(job)s AND locked_by = %(worker)s AND status = 'running'
    RETURNING id, account_id, amount_cents
), credited AS (
    UPDATE accounts SET balance_cents = balance_cents + mine.amount_cents FROM mine WHERE accounts.id = mine.account_id
)
INSERT INTO payouts (job_id, account_id, amount_cents, worker)
SELECT id, account_id, amount_cents, %(worker)s FROM mine
"""

BURY = """
WITH moved AS (DELETE FROM jobs WHERE id = %(job)s AND locked_by = %(worker)s
               RETURNING id, account_id, amount_cents, attempts)
INSERT INTO dead_jobs (job_id, account_id, amount_cents, attempts, last_error)
SELECT id, account_id, amount_cents, attempts, %(error)s FROM moved
"""

RETRY = ("UPDATE jobs SET status = 'queued', last_error = %(error)s, locked_by = NULL, locked_until = NULL "
         "WHERE id = %(job)s AND locked_by = %(worker)s")


def work_one(conn, worker, lease_seconds, max_attempts):
    job = claim(conn, worker, lease_seconds)
    if job is None:
        return None
    job_id, _, _, attempts = job
    params = {"job": job_id, "worker": worker}
    try:
        conn.execute(PAY, params)  # one statement: one transaction
    except psycopg.Error as error:
        params["error"] = error.diag.message_primary or str(error)
        conn.execute(BURY if attempts >= max_attempts else RETRY, params)
    return job_id
