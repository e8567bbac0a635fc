"""Query plans as data: run `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, walk the tree, judge index use.

A check on indexes must not force the planner (no `SET enable_seqscan = off`): it applies the
learner's indexes, runs ANALYZE, and asks PostgreSQL for its own plan. Two facts decide: how the
table is read (an Index, Index Only or Bitmap Heap Scan, not a Seq Scan) and how many 8 kB pages
the query touched. The page count catches an index that is used but does not fit the query (a
composite index with its columns in the wrong order is walked end to end), whatever plan the
planner picks for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.checks.sql import SqlChecker
from grader.sqlcompare import ResultSet, Rules, compare
from grader.words import count

INDEX_READS = {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"}
PAGE = "pages (8 kB each)"


@dataclass(frozen=True)
class PlanNode:
    node_type: str
    relation: str | None = None
    index: str | None = None
    actual_rows: float | None = None
    children: tuple[PlanNode, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, node: dict[str, Any]) -> PlanNode:
        return cls(
            node_type=str(node["Node Type"]),
            relation=node.get("Relation Name"),
            index=node.get("Index Name"),
            actual_rows=node.get("Actual Rows"),
            children=tuple(cls.parse(child) for child in node.get("Plans", [])),
            raw=node,
        )

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for child in self.children:
            yield from child.walk()

    def describe(self) -> str:
        """E.g. "Index Scan using users_lower_idx on users", "Bitmap Heap Scan on orders (via orders_x_idx)"."""
        text = self.node_type
        if self.index and self.node_type != "Bitmap Index Scan":
            text += f" using {self.index}"
        if self.relation:
            text += f" on {self.relation}"
        if self.node_type == "Bitmap Heap Scan":
            indexes = [n.index for n in self.walk() if n.node_type == "Bitmap Index Scan" and n.index]
            text += f" (via {', '.join(indexes)})" if indexes else ""
        elif self.node_type == "Bitmap Index Scan" and self.index:
            text += f" using {self.index}"
        return text


@dataclass(frozen=True)
class Plan:
    root: PlanNode
    pages: int  # shared buffers hit or read by the execution (planning excluded)

    def scans_of(self, table: str) -> list[PlanNode]:
        return [n for n in self.root.walk() if n.relation == table]


def parse(document: Any) -> Plan:
    """The Plan of `EXPLAIN (FORMAT JSON)` output (a one-element list, or that element)."""
    top = document[0] if isinstance(document, list) else document
    root = top["Plan"]
    pages = int(root.get("Shared Hit Blocks", 0)) + int(root.get("Shared Read Blocks", 0))
    return Plan(PlanNode.parse(root), pages)


def explain(url: str, query: str) -> Plan:
    """Execute the query under EXPLAIN ANALYZE (so pages are counted, not estimated) and parse the plan."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query).encode()).fetchone()
    except psycopg.errors.QueryCanceled:
        raise SubmissionProblem("the query was stopped by statement_timeout even with your indexes") from None
    except psycopg.Error as exc:
        raise GraderFault(f"EXPLAIN failed: {exc}".strip()) from None
    if row is None:
        raise GraderFault("EXPLAIN returned no plan")
    return parse(row[0])


def index_problems(plan: Plan, table: str, max_pages: int) -> list[str]:
    """Why this plan does not read `table` through a fitting index; empty when it does."""
    scans = plan.scans_of(table)
    if not scans:
        return [f"the plan never reads {table} (found: {', '.join(n.describe() for n in plan.root.walk())})"]
    problems = [f"{table} is read by {n.describe()}; an index that fits the query gives an Index Scan, "
                "Index Only Scan or Bitmap Index Scan" for n in scans if n.node_type not in INDEX_READS]
    if not problems and plan.pages > max_pages:
        rows = plan.root.actual_rows
        result = f" to return {count(rows, 'row')}" if rows is not None else ""
        problems.append(f"{' and '.join(n.describe() for n in scans)} touched {plan.pages} {PAGE}{result}; "
                        f"an index that fits the query needs at most {max_pages}")
    return problems


PLANNER_OVERRIDES = """
SELECT name, setting, source FROM pg_settings
WHERE category LIKE 'Query Tuning%' AND source IN ('database', 'user', 'database user')
ORDER BY name
"""


def planner_overrides(url: str) -> list[str]:
    """Planner settings attached to the database or role (ALTER DATABASE/ROLE … SET), which would steer plans."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(PLANNER_OVERRIDES).fetchall()
    return [f"{name} = {setting} (set for the {source})" for name, setting, source in rows]


@dataclass(frozen=True)
class IndexedQuery:
    """A query a task must make fast: its SQL, the table to read through an index, and the page budget."""

    label: str
    sql: str
    table: str
    max_pages: int
    ordered: bool = False


class IndexedCopy:
    """A fresh copy of the lab's database with the learner's index script applied and analysed.

    The queries' results are taken before the script runs, so a script that changes data (or a
    table) is caught by the result comparison.
    """

    def __init__(self, sql: SqlChecker, script: str, queries: Sequence[IndexedQuery]) -> None:
        self.checker = sql.fresh()
        self.reveal = sql.reveal
        self.before = {q.label: self.checker.query(q.sql) for q in queries}
        self.checker.run(script, commit=True)
        self.checker.query("ANALYZE")
        self.overrides = planner_overrides(self.checker.learner_url)

    def check(self, query: IndexedQuery) -> None:
        """Results unchanged, then the plan reads the table through an index within the page budget."""
        if self.overrides:
            raise Mismatch(f"{query.label}: your script changes planner settings ({'; '.join(self.overrides)}); "
                           "the checks grade the plans PostgreSQL picks with its default settings: remove them")
        after: ResultSet = self.checker.query(query.sql)
        outcome = compare(self.before[query.label], after, Rules(ordered=query.ordered), reveal=self.reveal)
        if not outcome.ok:
            raise Mismatch(f"{query.label} returns a different result after your script: {outcome.message}. "
                           "An index never changes results: the script must only create indexes")
        plan = explain(self.checker.learner_url, query.sql)
        problems = index_problems(plan, query.table, query.max_pages)
        if problems:
            raise Mismatch(f"{query.label}: " + "; ".join(problems))
