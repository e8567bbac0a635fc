"""Hidden checks: amounts with cents, a cycle of three accounts, and a random mix in both directions."""

from decimal import Decimal

import pytest

from grader.checks import ledger
from grader.checks.ledger import Transfer


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_cents_and_empty_account(sql):
    """amounts with cents move exactly; an empty account cannot send even 0.01"""
    checker = sql.fresh()
    ledger.load(checker)
    before = ledger.balances(checker)
    funded = sorted(i for i, b in before.items() if b >= 100)
    empty = sorted(i for i, b in before.items() if b == 0)
    a, b = funded[-1], funded[-2]
    outcome = ledger.call(checker, Transfer(a, b, Decimal("0.07")))
    assert outcome.ok and outcome.value is True, "a transfer of 0.07 must return true"
    after = ledger.balances(checker)
    assert after[a] == before[a] - Decimal("0.07") and after[b] == before[b] + Decimal("0.07"), \
        "a transfer of 0.07 did not move exactly 0.07 (is amount rounded or cast to an integer?)"
    for account in empty:
        outcome = ledger.call(checker, Transfer(account, a, Decimal("0.01")))
        assert outcome.ok and outcome.value is False, "a transfer of 0.01 from an empty account must return false"


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_no_deadlock_in_a_cycle(sql, seed):
    """50 concurrent transfers around a cycle of three accounts: no deadlock"""
    ledger.check_plan(sql, ledger.ring, seed, staged=True)


@pytest.mark.task(4)  # README task 4: "a random mix of transfers in both directions ... the same way"
@pytest.mark.points(2)
def test_random_mix(sql, seed):
    """50 concurrent random transfers in both directions, some refused: balances consistent"""
    ledger.check_plan(sql, ledger.mixed, seed + 100, staged=True)
