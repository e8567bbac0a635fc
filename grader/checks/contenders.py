"""Several copies of the learner's module, each its own process, called at once through a Redis write gate.

A worker serves one call at a time, so contention needs several workers. Firing their calls together
catches a race only sometimes; the gate makes it certain. It pauses every write on the server
(CLIENT PAUSE WRITE: reads still run, writes wait, keys stop expiring), starts the calls, waits until
each one is either done or blocked on a write, and only then unpauses. By then every contender has
made all the reads it makes before its first write, so read-then-write code (GET, then SET if absent)
decides on stale reads on every run, while one atomic command (SET NX, INCR, a Lua script) queues
and runs one contender at a time. Which contender wins varies; checks judge totals and invariants.

The gate holds each contender's FIRST write. Code that writes something before its racy read (SET NX,
then GET, then INCR) meets the others only after the gate opened, where the race is likely but not
certain; tasks and wrong cases are written so that the racy read comes first.

CLIENT PAUSE is server-wide and CLIENT UNPAUSE lifts every pause, so gates on one server take turns
through a lock in database 0 (runs sharing a warm server must not open each other's gates). A gate
keeps its turn until its calls have ended: another run's pause would otherwise stall the writes its
contenders make after the gate opened (a cache loader's SET), while the others wait on a clock.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import redis

from grader.checks.problems import GraderFault, SubmissionProblem
from grader.worker.client import Worker

GATE_LOCK = "grader:write-gate"
PAUSE_MS = 15_000  # a safety net: the server lifts the pause by itself if this process dies while it holds it
RELEASE_IF_HOLDER = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


Call = tuple[Worker, str, tuple[Any, ...], dict[str, Any]]  # worker, function, args, Worker.call options


@dataclass(frozen=True)
class Outcome:
    """How one call ended: its value, or the problem the worker reported (an exception, a crash, a timeout)."""

    value: Any = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    all_waited: bool  # every call was done or blocked on a write when the gate opened

    def values(self) -> list[Any]:
        """The values, or the first problem as the learner's failure."""
        for outcome in self.outcomes:
            if outcome.problem is not None:
                raise SubmissionProblem(outcome.problem)
        if not self.all_waited:
            raise GraderFault("the contenders did not all reach Redis within the gate's time; the race was not run")
        return [outcome.value for outcome in self.outcomes]


class WriteGate:
    """Holds writes on the server while contenders start; see the module docstring."""

    def __init__(self, admin: redis.Redis, db: int, user: str, settle_timeout_s: float = 10.0) -> None:
        self.admin = admin  # an administrator client on database 0
        self.db = db
        self.user = user
        self.settle_timeout_s = settle_timeout_s

    def _take_turn(self) -> str:
        token = secrets.token_hex(8)
        deadline = time.monotonic() + 30
        while not self.admin.set(GATE_LOCK, token, nx=True, px=PAUSE_MS + 5_000):
            if time.monotonic() > deadline:
                raise GraderFault("another grading run has held the Redis write gate for 30 s; try again")
            time.sleep(0.01)
        return token

    def _blocked(self) -> int:
        clients = self.admin.client_list()
        return sum(1 for c in clients if c.get("user") == self.user and str(c.get("db")) == str(self.db)
                   and "b" in str(c.get("flags", "")))

    def run(self, pool: ThreadPoolExecutor, calls: Sequence[Call]) -> Run:
        token = self._take_turn()
        try:
            self.admin.execute_command("CLIENT", "PAUSE", PAUSE_MS, "WRITE")  # type: ignore[no-untyped-call]
            try:
                futures = [pool.submit(_call, worker, function, args, options)
                           for worker, function, args, options in calls]
                deadline = time.monotonic() + self.settle_timeout_s
                all_waited = False
                while time.monotonic() < deadline:
                    pending = sum(1 for f in futures if not f.done())
                    if pending == 0 or self._blocked() >= pending:
                        all_waited = True
                        break
                    time.sleep(0.005)
            finally:
                self.admin.execute_command("CLIENT", "UNPAUSE")  # type: ignore[no-untyped-call]
            return Run([f.result() for f in futures], all_waited)  # the turn is kept until the calls end
        finally:
            self.admin.eval(RELEASE_IF_HOLDER, 1, GATE_LOCK, token)


def _call(worker: Worker, function: str, args: tuple[Any, ...], options: dict[str, Any]) -> Outcome:
    try:
        return Outcome(value=worker.call(function, *args, **options))
    except SubmissionProblem as problem:
        return Outcome(problem=str(problem))


def call_together(workers: Sequence[Worker], function: str, args_per_call: Sequence[tuple[Any, ...]],
                  gate: WriteGate | None, **options: Any) -> Run:
    """Call `function` once per worker, all at once (through `gate` when given); outcomes in worker order.

    `options` go to Worker.call (inject=..., crash_after_replies=...).
    """
    if len(workers) != len(args_per_call):
        raise GraderFault(f"{len(args_per_call)} calls for {len(workers)} workers: one call per worker")
    for worker in workers:
        worker.start()
    calls = [(worker, function, tuple(args), options) for worker, args in zip(workers, args_per_call, strict=True)]
    with ThreadPoolExecutor(max_workers=max(1, len(calls))) as pool:
        if gate is None:
            futures = [pool.submit(_call, *call) for call in calls]
            return Run([f.result() for f in futures], True)
        return gate.run(pool, calls)
