"""An order saga (see README). The grader calls run_saga(conn, order_id) in worker processes, kills
one mid-saga and runs it again, and reads the journal the services' tables write themselves.

`conn` is a psycopg 3 connection in autocommit mode: group statements with
`with conn.transaction():` (all of them commit, or none).
"""


def run_saga(conn, order_id):
    """Run (or resume) the saga of one order; return 'completed' or 'compensated'."""
    # TODO 1: reserve (products.stock, reservations), charge (wallets, charges), ship (shipments):
    #         each step one transaction; then orders.status = 'completed'
    # TODO 2: on a step's error: status 'compensating' with the error, undo the steps done, last first
    # TODO 3 and 4: a saga run again must do no step and no compensation twice
    return "completed"
