"""Public checks for sql-transactions: transfer() called alone, then 50 calls at once through a lock gate.

The concurrent checks (grader/checks/ledger.py) load transfer.sql into a fresh copy, lock the
accounts in another transaction, start 50 calls on 50 connections, wait until all of them are
blocked, release them together, and audit the balances against the calls that returned true.
"""

from decimal import Decimal

import pytest

from grader.checks import ledger
from grader.checks.ledger import Transfer


def _ready(sql):
    checker = sql.fresh()
    ledger.load(checker)
    before = ledger.balances(checker)
    funded = sorted(i for i, b in before.items() if b >= 100)
    return checker, before, funded[0], funded[1]


def _expect(checker, transfer, returns, reveal):
    outcome = ledger.call(checker, transfer)
    what = f"transfer({transfer.source}, {transfer.target}, {transfer.amount})" if reveal else "a transfer"
    error = f"{outcome.error} " if reveal else ""  # your own message may quote hidden ids
    assert outcome.ok, f"{what} raised an error: {error}(SQLSTATE {outcome.sqlstate})"
    assert outcome.value is returns, f"{what} returned {outcome.value!r}, expected {returns}"


def _unchanged(checker, before, what):
    after = ledger.balances(checker)
    changed = sorted(i for i in before if after[i] != before[i])
    assert not changed, f"{what} changed {len(changed)} balance(s); it must change nothing"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_moves_money(sql):
    """a transfer moves the amount between the two accounts and returns true"""
    checker, before, a, b = _ready(sql)
    amount = Decimal("25.50")
    _expect(checker, Transfer(a, b, amount), True, sql.reveal)
    after = ledger.balances(checker)
    expected = dict(before)
    expected[a] -= amount
    expected[b] += amount
    wrong = sorted(i for i in before if after[i] != expected[i])
    assert not wrong, (f"after moving 25.50, {len(wrong)} balance(s) are wrong"
                       + (f": account {wrong[0]} is {after[wrong[0]]}, expected {expected[wrong[0]]}"
                          if sql.reveal else ""))


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_refuses_overdraft(sql):
    """more than the balance returns false and changes nothing; exactly the balance is allowed"""
    checker, before, a, b = _ready(sql)
    _expect(checker, Transfer(a, b, before[a] + Decimal("0.01")), False, sql.reveal)
    _unchanged(checker, before, "a refused transfer")
    _expect(checker, Transfer(a, b, before[a]), True, sql.reveal)
    assert ledger.balances(checker)[a] == 0, "transferring the whole balance must leave exactly 0.00"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_rejects_bad_input(sql):
    """unknown accounts, an amount that is not positive and a transfer to itself raise an error, change nothing"""
    checker, before, a, b = _ready(sql)
    unknown = max(before) + 1000
    cases = {
        "a transfer to an account that does not exist": Transfer(a, unknown, Decimal(1)),
        "a transfer from an account that does not exist": Transfer(unknown, a, Decimal(1)),
        "a transfer of 0": Transfer(a, b, Decimal(0)),
        "a transfer of a negative amount": Transfer(a, b, Decimal(-5)),
        "a transfer of NULL": Transfer(a, b, None),
        "a transfer from an account to itself": Transfer(a, a, Decimal(1)),
    }
    for what, transfer in cases.items():
        outcome = ledger.call(checker, transfer)
        assert not outcome.ok, f"{what} returned {outcome.value!r}; it must raise an error"
        _unchanged(checker, before, what)


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_no_lost_update(sql, seed):
    """50 concurrent transfers debiting the same few accounts: every update kept"""
    ledger.check_plan(sql, ledger.one_way, seed)


@pytest.mark.task(3)
@pytest.mark.points(3)
def test_no_overdraft_under_concurrency(sql, seed):
    """50 concurrent withdrawals, more than the balances cover: never negative, exact refusals"""
    ledger.check_plan(sql, ledger.overdraft, seed)


@pytest.mark.task(4)
@pytest.mark.points(3)
def test_no_deadlock(sql, seed):
    """50 concurrent transfers between pairs of accounts in both directions: no deadlock"""
    ledger.check_plan(sql, ledger.crossing, seed, staged=True)
