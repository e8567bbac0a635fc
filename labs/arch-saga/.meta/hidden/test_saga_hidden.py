"""Hidden check for arch-saga: a finished saga run again changes nothing."""

import pytest

from grader.checks.problems import Mismatch


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_running_a_finished_saga_again_changes_nothing(workers, dataset, variant):
    """run_saga() on orders already completed or compensated returns the same outcome and does nothing"""
    db = workers.db
    worker = workers.start()
    for purpose, outcome in (("happy", "completed"), ("fails_at_ship", "compensated")):
        order_id = dataset.orders(variant)[purpose][0]
        worker.call("run_saga", order_id, inject="postgres")
        snapshot = db.rows("SELECT action FROM journal ORDER BY id"), db.rows("SELECT * FROM wallets ORDER BY 1")
        if worker.call("run_saga", order_id, inject="postgres") != outcome:
            raise Mismatch("a saga run again after it finished must return the same outcome")
        if (db.rows("SELECT action FROM journal ORDER BY id"), db.rows("SELECT * FROM wallets ORDER BY 1")) != snapshot:
            raise Mismatch("a saga run again after it finished changed something")
