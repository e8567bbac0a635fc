"""grader/checks/ledger.py: the plans have the shape each check relies on, and the audit finds each mistake."""

from __future__ import annotations

import random
from decimal import Decimal

from grader.checks import ledger
from grader.checks.ledger import Transfer, audit

BALANCES = {i: Decimal(100 * i) for i in range(1, 13)} | {13: Decimal("0.00")}


def test_one_way_is_affordable_and_ordered() -> None:
    plan = ledger.one_way(BALANCES, random.Random(1))
    assert len(plan) == 50 and all(t.source < t.target for t in plan)
    for source in {t.source for t in plan}:
        assert sum(t.amount for t in plan if t.source == source) <= BALANCES[source]


def test_overdraft_asks_for_more_than_each_payer_has() -> None:
    plan = ledger.overdraft(BALANCES, random.Random(1))
    total = sum(BALANCES.values())
    impossible = [t for t in plan if t.amount > total]
    assert len(plan) == 50 and len(impossible) == 1
    payers = {t.source for t in plan if t.amount <= total}
    assert 13 in payers, "the empty account is asked to pay"
    for payer in payers:
        mine = [t for t in plan if t.source == payer]
        assert len({t.amount for t in mine}) == 1
        assert sum(t.amount for t in mine) > BALANCES[payer]
        assert all(t.target != payer for t in plan)


def test_crossing_and_ring_go_both_ways() -> None:
    crossing = ledger.crossing(BALANCES, random.Random(1))
    assert len(crossing) == 50
    assert all(any(u.source == t.target and u.target == t.source for u in crossing) for t in crossing)
    ring = ledger.ring(BALANCES, random.Random(1))
    members = {t.source for t in ring}
    assert len(ring) == 50 and len(members) == 3 and {t.target for t in ring} == members


def test_audit_accepts_a_serial_outcome() -> None:
    plan = [Transfer(1, 2, Decimal(60)), Transfer(1, 2, Decimal(60))]
    after = dict(BALANCES) | {1: Decimal(40), 2: Decimal(260)}
    assert audit(BALANCES, after, plan, [True, False], reveal=True).ok


def test_audit_finds_a_lost_update() -> None:
    plan = [Transfer(3, 2, Decimal(50)), Transfer(3, 2, Decimal(50))]
    after = dict(BALANCES) | {3: Decimal(250), 2: Decimal(300)}  # both read 300, both wrote 250
    problems = " ".join(audit(BALANCES, after, plan, [True, True], reveal=True).problems)
    assert "total of all balances changed (+50.00)" in problems and "account 3 is 250" in problems
    assert "equal transfers" not in problems, "both transfers were affordable: nothing to refuse"


def test_audit_finds_an_overdraft_and_wrong_refusals() -> None:
    plan = [Transfer(1, 2, Decimal(60))] * 2
    after = dict(BALANCES) | {1: Decimal(-20), 2: Decimal(320)}
    problems = " ".join(audit(BALANCES, after, plan, [True, True], reveal=True).problems)
    assert "negative balance: account 1 = -20" in problems
    assert "exactly 1 of its 2 equal transfers, but 2 returned true" in problems
    refused = audit(BALANCES, dict(BALANCES), [Transfer(5, 2, Decimal(1))], [False], reveal=True)
    assert "could pay all 1 of its transfers but 1 returned false" in " ".join(refused.problems)


def test_audit_hides_ids_and_amounts_for_hidden_data() -> None:
    plan = [Transfer(3, 2, Decimal(50))] * 2
    after = dict(BALANCES) | {3: Decimal(-250), 2: Decimal(300)}
    problems = " ".join(audit(BALANCES, after, plan, [True, True], reveal=False).problems)
    assert problems and "account 3" not in problems and "250" not in problems and "50.00" not in problems


def test_deadlock_message_names_the_cause() -> None:
    """One-way plans cannot deadlock on lock order: a deadlock there is a shared-to-exclusive upgrade."""
    from grader.checks.concurrency import Call, Outcome

    deadlock = [Outcome(Call("SELECT transfer(1, 2, 5)"), sqlstate=ledger.DEADLOCK, error="deadlock detected")]
    one_way = ledger.one_way(BALANCES, random.Random(1))
    upgrade = ledger._explain_errors(deadlock, 50, reveal=False, opposed=ledger._money_flows_back(one_way))
    assert "lock upgrade" in upgrade and "FOR SHARE" in upgrade and "different orders" not in upgrade
    for plan in (ledger.crossing(BALANCES, random.Random(1)), ledger.ring(BALANCES, random.Random(1))):
        order = ledger._explain_errors(deadlock, 50, reveal=False, opposed=ledger._money_flows_back(plan))
        assert "different orders" in order and "shared-to-exclusive upgrade" in order and "FOR UPDATE" in order
