"""Public checks for arch-saga. Each check gets a fresh copy of the `saga` database and runs your
solution.py in worker processes. The services' tables write a journal themselves (triggers), so
the grader sees every action and compensation in the order it committed. The grader is the
nemesis: it stops a saga with a lock at a chosen step, kills the process there, and runs the
saga again. On the public data and again on a hidden one."""

import contextlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.apps.gate import LockGate
from grader.checks.problems import Mismatch, SubmissionProblem

SETTLE_S = 25


def saga(worker, order_id):
    return worker.call("run_saga", order_id, inject="postgres")


def journal(db, order_id):
    return [row[0] for row in db.rows("SELECT action FROM journal WHERE order_id = %s ORDER BY id", (order_id,))]


def state(db, order):
    """(stock of its product, its customer's balance)."""
    _, customer, sku, *_ = order
    return (db.scalar("SELECT stock FROM products WHERE sku = %s", (sku,)),
            db.scalar("SELECT balance_cents FROM wallets WHERE customer = %s", (customer,)))


def expect_journal(db, order_id, expected, why):
    got = journal(db, order_id)
    if got != expected:
        raise Mismatch(f"{why}: the services recorded {got or 'nothing'}, expected {expected or 'nothing'}")


def expect_outcome(worker, db, order, outcome):
    result = saga(worker, order[0])
    if result != outcome:
        raise Mismatch(f"run_saga() must return {outcome!r} for this order, not {result!r}")
    status = db.scalar("SELECT status FROM orders WHERE id = %s", (order[0],))
    if status != outcome:
        raise Mismatch(f"orders.status must be {outcome!r} at the end, not {status!r}")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_a_saga_that_can_complete_does(workers, dataset, variant):
    """every step done once, in order: reserve, charge, ship; stock and wallet taken once"""
    db = workers.db
    worker = workers.start()
    for purpose in ("happy", "happy_exact"):
        order = dataset.orders(variant)[purpose]
        stock, balance = state(db, order)
        expect_outcome(worker, db, order, "completed")
        expect_journal(db, order[0], ["reserve", "charge", "ship"], "a saga that can complete")
        if state(db, order) != (stock - order[3], balance - order[4]):
            raise Mismatch("a completed saga must take the quantity from stock and the amount from the wallet, once"
                           + (" (a wallet holding exactly the amount ends at 0)" if purpose == "happy_exact" else ""))


def compensated(workers, dataset, variant, purpose, expected, why):
    db = workers.db
    order = dataset.orders(variant)[purpose]
    before = state(db, order)
    expect_outcome(workers.start(), db, order, "compensated")
    expect_journal(db, order[0], expected, why)
    if state(db, order) != before:
        raise Mismatch(f"{why}: after the compensations the stock and the wallet must be exactly as before")
    if db.scalar("SELECT error FROM orders WHERE id = %s", (order[0],)) is None:
        raise Mismatch("a compensated order keeps the error that stopped it in orders.error")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_failure_at_the_first_step_compensates_nothing(workers, dataset, variant):
    """the reservation fails (no stock): nothing was done, so nothing is undone"""
    compensated(workers, dataset, variant, "fails_at_reserve", [], "the first step failed")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_failure_at_the_second_step_releases_the_stock(workers, dataset, variant):
    """the charge fails (the wallet is short): the reservation is released"""
    compensated(workers, dataset, variant, "fails_at_charge", ["reserve", "release"], "the charge failed")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_failure_at_the_last_step_compensates_in_reverse_order(workers, dataset, variant):
    """the shipment fails: refund first, then release — the reverse of the order the steps ran in"""
    compensated(workers, dataset, variant, "fails_at_ship", ["reserve", "charge", "refund", "release"],
                "the shipment failed; compensations run in reverse order (the last step done is undone first)")


def resumed_after_a_kill(workers, order, lock, unblocked, why):
    """Run the saga until it waits for the grader's `lock`, kill it there, run it again: it completes, each
    step once. `unblocked` is the failure when the saga never waited; `why` explains a step done twice."""
    db = workers.db
    stock, balance = state(db, order)
    first = workers.start()
    with ThreadPoolExecutor(1) as pool:
        with LockGate(db.admin_url, [lock]) as gate:
            call = pool.submit(saga, first, order[0])
            if not gate.settle(lambda: 0 if call.done() else 1, SETTLE_S):
                call.result()
                raise Mismatch(unblocked)
            first.kill()
            gate.terminate_waiters()
        with contextlib.suppress(SubmissionProblem):
            call.result()
    expect_outcome(workers.start(), db, order, "completed")
    expect_journal(db, order[0], ["reserve", "charge", "ship"], why)
    if state(db, order) != (stock - order[3], balance - order[4]):
        raise Mismatch("after the retry the stock and the wallet must have been taken exactly once")


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_a_saga_killed_mid_step_resumes_without_doing_a_step_twice(workers, dataset, variant):
    """killed while charging, then run again: it completes, and every step happened exactly once"""
    order = dataset.orders(variant)["gated_charge"]
    resumed_after_a_kill(
        workers, order, ("SELECT 1 FROM wallets WHERE customer = %s FOR UPDATE", (order[1],)),
        "run_saga() finished while the grader held the customer's wallet locked: the charge must take the amount "
        "from wallets.balance_cents",
        "the saga was killed while charging and run again: a step already done (the reservation) must not be done "
        "again — check whether it happened before doing it")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_a_saga_killed_before_recording_its_outcome_does_no_step_twice(workers, dataset, variant):
    """killed after its last step, while recording the outcome on the order, then run again: it completes,
    every step (reservation, charge, shipment) happened once"""
    order = dataset.orders(variant)["gated_ship"]
    resumed_after_a_kill(
        workers, order, ("SELECT 1 FROM orders WHERE id = %s FOR UPDATE", (order[0],)),
        "run_saga() finished while the grader held the order's row locked: the saga must record its outcome in "
        "orders.status",
        "the saga was killed after its steps and run again: every step done before the crash must not be done "
        "again — check whether each happened before doing it")


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_a_saga_killed_while_compensating_never_compensates_twice(workers, dataset, variant):
    """killed between two compensations, then run again: it finishes compensating, each undo once"""
    db = workers.db
    order = dataset.orders(variant)["gated_compensation"]
    before = state(db, order)
    first = workers.start()
    with ThreadPoolExecutor(1) as pool:
        at_ship = LockGate(db.admin_url, [("LOCK TABLE destinations IN ACCESS EXCLUSIVE MODE", ())])
        at_release = LockGate(db.admin_url, [("SELECT 1 FROM products WHERE sku = %s FOR UPDATE", (order[2],))])
        with at_ship:
            call = pool.submit(saga, first, order[0])
            if not at_ship.settle(lambda: 0 if call.done() else 1, SETTLE_S):
                call.result()
                raise Mismatch("run_saga() finished without booking the shipment (the grader held it up)")
            at_release.__enter__()
        try:  # the shipment now fails; the saga refunds, then waits to release the stock
            if not at_release.settle(lambda: 0 if call.done() else 1, SETTLE_S):
                call.result()
                raise Mismatch("run_saga() finished its compensations while the grader held the product's row "
                               "locked: releasing the reservation must give the quantity back to products.stock")
            first.kill()
            at_release.terminate_waiters()
        finally:
            at_release.open()
        with contextlib.suppress(SubmissionProblem):
            call.result()
    expect_outcome(workers.start(), db, order, "compensated")
    expect_journal(db, order[0], ["reserve", "charge", "refund", "release"],
                   "the saga was killed between its compensations and run again")
    if state(db, order) != before:
        raise Mismatch("the saga was killed after the refund and run again: the wallet or the stock is not exactly as "
                       "before — a compensation done twice (a second refund) must change nothing")
