"""Public checks for mongo-transactions: a query file, then your transfer() in a worker on a real server."""

import pytest

from grader.checks.problems import Mismatch, SubmissionProblem


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_low_balance(mongo):
    """accounts below 10000 cents, by balance"""
    mongo.check_query("queries/01_low_balance.json", "accounts", ordered=True)


def accounts(mongo):
    return {a["_id"]: a["balance"] for a in mongo.db.accounts.find()}


def two_accounts(mongo):
    """The richest account and the poorest other one (ties: smallest id)."""
    ranked = sorted(mongo.db.accounts.find(), key=lambda a: (-a["balance"], a["_id"]))
    return ranked[0], ranked[-1]


def expect_refused(mongo, submission, args, why):
    before = accounts(mongo)
    try:
        submission.call("transfer", *args, inject="mongodb")
    except SubmissionProblem as exc:
        if "ValueError" not in str(exc):
            raise
    else:
        raise Mismatch(f"transfer() with {why} returned instead of raising ValueError")
    changed = [k for k, v in accounts(mongo).items() if before.get(k) != v]
    if changed:
        raise Mismatch(f"transfer() with {why} raised, but balances had already changed: the writes were not "
                       "part of one transaction")
    if mongo.db.transfers.count_documents({}):
        raise Mismatch(f"transfer() with {why} raised, but a transfers entry was left behind")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.requires("transactions")
def test_transfer_moves_money_and_logs(mongo, submission):
    """a transfer moves the amount, logs it, and returns the new balance"""
    mongo.reset()
    rich, poor = two_accounts(mongo)
    amount = rich["balance"] // 4 or 1
    result = submission.call("transfer", rich["_id"], poor["_id"], amount, inject="mongodb")
    after = accounts(mongo)
    assert after[rich["_id"]] == rich["balance"] - amount, "the source's balance did not drop by the amount"
    assert after[poor["_id"]] == poor["balance"] + amount, "the target's balance did not rise by the amount"
    logged = list(mongo.db.transfers.find({}, {"_id": 0}))
    assert logged == [{"from": rich["_id"], "to": poor["_id"], "amount": amount}], (
        "transfers should hold exactly one entry {from, to, amount} for the transfer")
    assert result == rich["balance"] - amount, "transfer() should return the source's new balance"


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.requires("transactions")
def test_unknown_target_changes_nothing(mongo, submission):
    """a transfer to an account that does not exist changes nothing"""
    mongo.reset()
    rich, _ = two_accounts(mongo)
    expect_refused(mongo, submission, (rich["_id"], "ACC-NOPE", 100), "an unknown target account")


@pytest.mark.task(2)
@pytest.mark.points(2)
@pytest.mark.requires("transactions")
def test_insufficient_funds_changes_nothing(mongo, submission):
    """a transfer of more than the balance changes nothing"""
    mongo.reset()
    rich, poor = two_accounts(mongo)
    expect_refused(mongo, submission, (poor["_id"], rich["_id"], poor["balance"] + 1), "more than the balance")


@pytest.mark.task(2)
@pytest.mark.points(1)
@pytest.mark.requires("transactions")
def test_non_positive_amount_changes_nothing(mongo, submission):
    """a zero or negative amount is refused"""
    mongo.reset()
    rich, poor = two_accounts(mongo)
    expect_refused(mongo, submission, (rich["_id"], poor["_id"], -500), "a negative amount")
