"""Grading a money-transfer function under concurrency: seeded plans of transfers and an audit.

A plan is a list of transfers over an `accounts(id, balance)` table, shaped to expose one mistake:
`one_way` (many debits of the same rich accounts: lost updates), `overdraft` (more withdrawals than
a balance covers: a check that is not atomic with the debit), `crossing` (pairs of accounts paying
each other: locks taken in inconsistent order deadlock), `ring` and `mixed`. The audit compares the
balances after the run with what the accepted transfers (the calls that returned true) imply, and
with what every serial order of the plan would have to accept or refuse.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

import psycopg
from psycopg import sql as pgsql

from grader.checks.concurrency import Call, Gate, Lock, Outcome, run_concurrently
from grader.checks.problems import Mismatch
from grader.checks.sql import SqlChecker
from grader.words import count

CENT = Decimal("0.01")
Balances = dict[int, Decimal]
PlanMaker = Callable[[Balances, random.Random], list["Transfer"]]


@dataclass(frozen=True)
class Transfer:
    source: int
    target: int
    amount: Decimal


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


def _funded(balances: Balances) -> list[int]:
    return sorted(i for i, b in balances.items() if b >= 10)


def _spread(rng: random.Random, budget: Decimal, count: int) -> list[Decimal]:
    """`count` amounts of at least 0.01 whose sum stays within `budget`."""
    share = budget / count
    return [max(CENT, _money(share * Decimal(rng.randint(40, 100)) / 100)) for _ in range(count)]


def one_way(balances: Balances, rng: random.Random, calls: int = 50, width: int = 4) -> list[Transfer]:
    """Transfers from lower to higher ids among a few accounts, each sender able to pay them all."""
    chosen = sorted(rng.sample(_funded(balances), width + 1))
    pairs = [(a, b) for i, a in enumerate(chosen[:-1]) for b in chosen[i + 1:]]
    picks = [rng.choice(pairs) for _ in range(calls)]
    per_sender: dict[int, int] = defaultdict(int)
    for source, _ in picks:
        per_sender[source] += 1
    amounts = {s: iter(_spread(rng, balances[s], n)) for s, n in per_sender.items()}
    return [Transfer(s, t, next(amounts[s])) for s, t in picks]


def overdraft(balances: Balances, rng: random.Random, calls: int = 50, senders: int = 3) -> list[Transfer]:
    """Senders that receive nothing, each asked for more equal withdrawals than its balance covers."""
    funded = _funded(balances)
    payers = rng.sample(funded, senders)
    empty = [i for i, b in balances.items() if b == 0]
    payers += empty[:1]
    payees = [i for i in sorted(balances) if i not in payers]
    plan: list[Transfer] = []
    for n, payer in enumerate(payers):
        per = (calls - 1) // len(payers) + (1 if n < (calls - 1) % len(payers) else 0)
        fits = rng.randint(2, max(2, per // 2))
        amount = max(CENT, _money(balances[payer] / fits)) if balances[payer] > 0 else Decimal("5.00")
        plan += [Transfer(payer, rng.choice(payees), amount) for _ in range(per)]
    rng.shuffle(plan)
    total = sum(balances.values(), Decimal(0))
    plan.insert(rng.randrange(len(plan) + 1), Transfer(payees[0], payees[-1], total + 1))
    return plan


def crossing(balances: Balances, rng: random.Random, calls: int = 50, pairs: int = 5) -> list[Transfer]:
    """Pairs of accounts paying each other back and forth, every transfer affordable."""
    chosen = rng.sample(_funded(balances), 2 * pairs)
    couples = [(chosen[2 * i], chosen[2 * i + 1]) for i in range(pairs)]
    plan: list[Transfer] = []
    per_direction = max(1, calls // (2 * pairs))
    for a, b in couples:
        for source, target in ((a, b), (b, a)):
            plan += [Transfer(source, target, x) for x in _spread(rng, balances[source], per_direction)]
    order = [plan[i::per_direction] for i in range(per_direction)]  # interleave the directions
    return [t for wave in order for t in wave][:calls]


def ring(balances: Balances, rng: random.Random, calls: int = 50, size: int = 3) -> list[Transfer]:
    """Accounts paying around a cycle (a -> b -> c -> a): a deadlock needs no pair, only a cycle."""
    members = rng.sample(_funded(balances), size)
    per_member = -(-calls // size)
    rounds = [[Transfer(s, members[(i + 1) % size], x) for x in _spread(rng, balances[s], per_member)]
              for i, s in enumerate(members)]
    return [rounds[m][k] for k in range(per_member) for m in range(size)][:calls]


def mixed(balances: Balances, rng: random.Random, calls: int = 50, width: int = 6) -> list[Transfer]:
    """Random transfers in both directions among a few accounts, some too large to be accepted."""
    chosen = rng.sample(sorted(balances), width)
    plan = []
    for _ in range(calls):
        source, target = rng.sample(chosen, 2)
        ceiling = max(balances[source], Decimal(20)) * Decimal("0.6")
        plan.append(Transfer(source, target, max(CENT, _money(ceiling * Decimal(rng.randint(5, 100)) / 100))))
    return plan


@dataclass(frozen=True)
class Audit:
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def audit(before: Balances, after: Balances, plan: Sequence[Transfer], accepted: Sequence[bool],
          reveal: bool) -> Audit:
    """What is wrong with `after`, given the plan and which transfers reported success."""
    problems: list[str] = []
    expected = dict(before)
    for transfer, ok in zip(plan, accepted, strict=True):
        if ok:
            expected[transfer.source] -= transfer.amount
            expected[transfer.target] += transfer.amount
    total_before, total_after = sum(before.values(), Decimal(0)), sum(after.values(), Decimal(0))
    if total_before != total_after:
        change = f" ({total_after - total_before:+})" if reveal else ""
        problems.append(f"the total of all balances changed{change}: money was created or destroyed")
    negative = sorted(i for i, b in after.items() if b < 0)
    if negative:
        where = ": " + ", ".join(f"account {i} = {after[i]}" for i in negative[:5]) if reveal else ""
        problems.append(f"{count(len(negative), 'account')} ended with a negative balance{where}")
    drift = sorted(i for i in before if after.get(i) != expected[i])
    if drift:
        where = ": " + ", ".join(f"account {i} is {after.get(i)}, expected {expected[i]}" for i in drift[:5]) \
            if reveal else ""
        problems.append(
            f"{count(len(drift), 'account')} {'does' if len(drift) == 1 else 'do'} not match the transfers that "
            f"returned true{where}. "
            "An update was lost (two calls read the same balance and both wrote their own result), "
            "or a call reported a result that differs from what it did"
        )
    problems += _acceptance(before, plan, accepted, reveal)
    return Audit(problems)


def _acceptance(before: Balances, plan: Sequence[Transfer], accepted: Sequence[bool], reveal: bool) -> list[str]:
    """Decisions every serial order would make the same way."""
    problems = []
    total = sum(before.values(), Decimal(0))
    outgoing: dict[int, list[int]] = defaultdict(list)
    receives = {t.target for t in plan}
    for index, transfer in enumerate(plan):
        outgoing[transfer.source].append(index)
    for index, transfer in enumerate(plan):
        if transfer.amount > total and accepted[index]:
            problems.append("a transfer larger than all the money in the bank returned true")
    for source, indexes in sorted(outgoing.items()):
        amounts = {plan[i].amount for i in indexes if plan[i].amount <= total}
        done = sum(1 for i in indexes if accepted[i])
        who = f"account {source}" if reveal else "an account"
        if sum(plan[i].amount for i in indexes) <= before[source] and done < len(indexes):
            problems.append(f"{who} could pay all {len(indexes)} of its transfers but {len(indexes) - done} "
                            "returned false")
        elif source not in receives and len(amounts) == 1:
            fits = min(len(indexes), int(before[source] // amounts.pop()))
            if done != fits:
                problems.append(f"{who} could pay exactly {fits} of its {len(indexes)} equal transfers, "
                                f"but {done} returned true")
    return problems


# Running a plan against the learner's function ------------------------------------------------

TRANSFER = "SELECT transfer(%s::integer, %s::integer, %s::numeric)"
# The gate holds FOR SHARE, not FOR UPDATE: it still stops every write and every FOR UPDATE until it
# opens, and it lets every FOR SHARE through at once, so code that reads under a shared lock and then
# updates holds its shared lock in every contending call before any of them asks to upgrade: that
# deadlock happens on every run instead of only when two calls happen to overlap.
GATE = "SELECT id FROM accounts WHERE id = ANY(%s) ORDER BY id FOR SHARE"
GATE_ONE = "SELECT id FROM accounts WHERE id = %s FOR SHARE"
SCRIPT = "transfer.sql"
DEADLOCK, TIMEOUT = "40P01", "57014"


def balances(checker: SqlChecker) -> Balances:
    return {int(i): Decimal(b) for i, b in checker.query("SELECT id, balance FROM accounts").rows}


def load(checker: SqlChecker) -> None:
    """Create the learner's function in this copy (a SubmissionProblem if transfer.sql fails)."""
    checker.run(SCRIPT, commit=True)


def call(checker: SqlChecker, transfer: Transfer) -> Outcome:
    """One transfer on its own connection, as the learner role."""
    return run_concurrently(checker.learner_url, [_as_call(transfer)]).outcomes[0]


def _as_call(transfer: Transfer) -> Call:
    return Call(TRANSFER, (transfer.source, transfer.target, transfer.amount))


def _short_deadlock_timeout(checker: SqlChecker) -> None:
    """Deadlocks are detected after deadlock_timeout (1 s by default); shorter keeps a failing check fast."""
    try:
        with psycopg.connect(checker.admin_url, autocommit=True) as conn:
            name = conn.execute("SELECT current_database()").fetchone()
            if name is not None:
                conn.execute(pgsql.SQL("ALTER DATABASE {} SET deadlock_timeout = '100ms'").format(
                    pgsql.Identifier(str(name[0]))))
    except psycopg.Error:
        pass  # not a superuser: deadlocks are still found, one second later


def check_plan(sql: SqlChecker, make_plan: PlanMaker, seed: int, staged: bool = False) -> None:
    """Load transfer.sql into a fresh copy, run the plan's calls at once through a gate, audit the result.

    `staged` opens the accounts one at a time in id order (certain deadlocks for inconsistent lock
    order); otherwise all at once (every unlocked read stale)."""
    checker = sql.fresh()
    load(checker)
    _short_deadlock_timeout(checker)
    before = balances(checker)
    plan = make_plan(before, random.Random(seed))
    ids = sorted({t.source for t in plan} | {t.target for t in plan})
    stages = tuple(Lock(GATE_ONE, (i,)) for i in ids) if staged else (Lock(GATE, (ids,)),)
    run = run_concurrently(checker.learner_url, [_as_call(t) for t in plan], Gate(checker.reference_url, stages))
    failed = run.errors()
    if failed:
        raise Mismatch(_explain_errors(failed, len(plan), sql.reveal, opposed=_money_flows_back(plan)))
    odd = [o.value for o in run.outcomes if not isinstance(o.value, bool)]
    if odd:
        raise Mismatch(f"{len(odd)} of {len(plan)} calls returned {odd[0]!r}: transfer must return true or false")
    result = audit(before, balances(checker), plan, [bool(o.value) for o in run.outcomes], sql.reveal)
    if not result.ok:
        raise Mismatch(f"after {len(plan)} concurrent transfers: " + "; ".join(result.problems))


def _money_flows_back(plan: Sequence[Transfer]) -> bool:
    """Whether some transfers form a cycle (a->b and b->a, or a->b->c->a).

    Without one, every call can take its two accounts in one global order (the flow's), so a
    deadlock cannot come from locking accounts in opposite orders."""
    edges: dict[int, set[int]] = defaultdict(set)
    for transfer in plan:
        edges[transfer.source].add(transfer.target)
    done: set[int] = set()

    def reaches_back(node: int, path: set[int]) -> bool:
        if node in path:
            return True
        if node in done:
            return False
        path.add(node)
        found = any(reaches_back(n, path) for n in edges[node])
        path.discard(node)
        done.add(node)
        return found

    return any(reaches_back(node, set()) for node in list(edges))


def _explain_errors(failed: list[Outcome], calls: int, reveal: bool, opposed: bool = True) -> str:
    deadlocks = [o for o in failed if o.sqlstate == DEADLOCK]
    if deadlocks and not opposed:
        return (f"{len(deadlocks)} of {calls} calls were aborted by a deadlock (SQLSTATE 40P01), although every "
                "transfer in this check moves money the same way, so no two calls lock accounts in opposite "
                "orders. The cause is a shared-to-exclusive lock upgrade: a call that first takes a shared lock "
                "(SELECT … FOR SHARE) and later updates the same row needs an exclusive lock; two calls that both "
                "hold the shared lock each wait for the other to let go. Take the exclusive lock from the start "
                "(SELECT … FOR UPDATE) or update in one statement")
    if deadlocks:
        return (f"{len(deadlocks)} of {calls} calls were aborted by a deadlock (SQLSTATE 40P01). Two causes "
                "give this. Locks taken in different orders: a->b locked a and waited for b while b->a held b "
                "and waited for a (around a cycle a->b, b->c, c->a it takes three); lock both rows in one fixed "
                "order (e.g. the smaller id first) before changing either. Or a shared-to-exclusive upgrade: a "
                "row read under FOR SHARE and then updated deadlocks as soon as two calls "
                "hold the shared lock, whatever the order; take FOR UPDATE from the start")
    timeouts = [o for o in failed if o.sqlstate == TIMEOUT]
    if timeouts:
        return (f"{len(timeouts)} of {calls} calls were stopped by statement_timeout: a transfer waited too long "
                "(for a lock held by another call, or a sleep)")
    first = failed[0]
    text = f": {first.error}" if reveal else ""
    return (f"{len(failed)} of {calls} calls failed with SQLSTATE {first.sqlstate}{text}. Every transfer in this "
            "check is between existing accounts with a positive amount, so each call must return true or false "
            "(refuse an overdraft by returning false, not by raising an error)")
