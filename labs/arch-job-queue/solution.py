"""A PostgreSQL job queue (see README). The grader calls work_one() in several worker processes
at once, kills one mid-job, and checks what ended up in the database.

`conn` is a psycopg 3 connection in autocommit mode: every statement commits on its own, unless
you group statements with `with conn.transaction():` (all of them commit, or none).
"""


def work_one(conn, worker, lease_seconds, max_attempts):
    """Claim the oldest due job, pay it and mark it done; return its id, or None when no job is due.

    worker: this worker's name (store it in jobs.locked_by); lease_seconds: how long the claim
    lasts (jobs.locked_until); max_attempts: after this many failed attempts a job is dead.
    """
    # TODO 1: claim the oldest due job (ORDER BY id) in one statement, FOR UPDATE SKIP LOCKED
    # TODO 2: in one transaction: insert into payouts, add to accounts.balance_cents, status 'done'
    # TODO 3: when the payment fails: queue the job again with last_error, or move it to dead_jobs
    return None
