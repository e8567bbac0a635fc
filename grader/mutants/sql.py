"""SQL mutants of a reference file, made on sqlglot's syntax tree (PostgreSQL dialect).

Each mutant changes one node the way a learner plausibly errs: the join type, a comparison's
boundary, AND/OR, DISTINCT, COUNT(*) against COUNT(col), an ORDER BY direction or its last
tie-breaker, one WHERE/HAVING conjunct dropped, an aggregate swapped, a window's partition or frame,
the LIMIT. Files sqlglot cannot parse fully (PL/pgSQL bodies) give no mutants: their statements come
back as opaque commands, and a mutant of text sqlglot does not understand would test sqlglot, not the lab.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import sqlglot
from sqlglot import exp

from grader.mutants.model import Mutant

Change = tuple[str, Callable[[Any], Any]]  # (operator, in-place change of the copied node)

COMPARISONS: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.GTE, exp.GTE: exp.GT, exp.LT: exp.LTE, exp.LTE: exp.LT, exp.EQ: exp.NEQ, exp.NEQ: exp.EQ,
}
AGGREGATES: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.Sum: exp.Avg, exp.Avg: exp.Sum, exp.Min: exp.Max, exp.Max: exp.Min,
}
RANKINGS: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.Rank: exp.DenseRank, exp.DenseRank: exp.RowNumber, exp.RowNumber: exp.Rank,
}


def _swap(node: exp.Expression, kind: type[exp.Expression]) -> None:
    node.replace(kind(**node.args))


def _changes(node: Any) -> Iterator[Change]:
    if type(node) in COMPARISONS:
        yield "comparison", lambda n: _swap(n, COMPARISONS[type(n)])
    if isinstance(node, exp.And):
        yield "and-or", lambda n: _swap(n, exp.Or)
        for side in ("this", "expression"):
            yield "drop-conjunct", partial(_drop_side, side)
    elif isinstance(node, exp.Or):
        yield "and-or", lambda n: _swap(n, exp.And)
    if isinstance(node, exp.Join):
        if node.args.get("side"):
            yield "join-type", lambda n: n.set("side", None)
        elif node.args.get("on") is not None:
            yield "join-type", lambda n: n.set("side", "LEFT")
    if isinstance(node, exp.Select) and node.args.get("distinct") is not None:
        yield "distinct", lambda n: n.set("distinct", None)
    if isinstance(node, exp.Distinct) and isinstance(node.parent, exp.Count):
        yield "distinct", lambda n: n.replace(n.expressions[0])
    if isinstance(node, exp.Count):
        if isinstance(node.this, exp.Star):
            column = next(iter(_outer_columns(node)), None)
            if column is not None:
                yield "count-star", partial(_count_column, column)
        elif node.this is not None and not isinstance(node.this, exp.Distinct):
            yield "count-star", lambda n: n.set("this", exp.Star())
    if type(node) in AGGREGATES:
        yield "aggregate", lambda n: _swap(n, AGGREGATES[type(n)])
    if type(node) in RANKINGS:
        yield "ranking", lambda n: _swap(n, RANKINGS[type(n)])
    if isinstance(node, exp.Ordered):
        yield "order-direction", _flip_direction
    if isinstance(node, exp.Order) and len(node.expressions) > 1:
        yield "drop-tie-breaker", lambda n: n.set("expressions", n.expressions[:-1])
    if isinstance(node, exp.Where) and not isinstance(node.this, exp.And):
        yield "drop-where", lambda n: n.pop()
    if isinstance(node, exp.Window):
        if node.args.get("partition_by"):
            yield "window-partition", lambda n: n.set("partition_by", None)
        if node.args.get("spec") is not None:
            yield "window-frame", lambda n: n.set("spec", None)
        elif node.args.get("order") is not None and type(node.this) not in RANKINGS:
            yield "window-frame", lambda n: n.set("order", None)
    if isinstance(node, exp.Limit) and isinstance(node.expression, exp.Literal):
        yield "limit", lambda n: n.set("expression", exp.Literal.number(int(n.expression.this) + 1))
    if isinstance(node, exp.Between):
        yield "boundary", lambda n: n.set("low", exp.Literal.number(int(n.args["low"].this) + 1)) \
            if isinstance(n.args.get("low"), exp.Literal) and n.args["low"].is_int else None
        yield "boundary", lambda n: n.set("high", exp.Literal.number(int(n.args["high"].this) - 1)) \
            if isinstance(n.args.get("high"), exp.Literal) and n.args["high"].is_int else None
    if isinstance(node, exp.ColumnConstraint) and isinstance(node.parent, exp.ColumnDef):
        yield "drop-constraint", lambda n: n.pop()
    if isinstance(node, exp.ILike):
        yield "case-sensitive", lambda n: _swap(n, exp.Like)
    if isinstance(node, exp.Coalesce):
        yield "drop-coalesce", lambda n: n.replace(n.this)


def _drop_side(side: str, node: exp.Expression) -> None:
    node.replace(node.args["expression" if side == "this" else "this"])


def _count_column(column: exp.Column, node: exp.Expression) -> None:
    node.set("this", column.copy())


def _flip_direction(node: exp.Expression) -> None:
    """ASC <-> DESC; NULLs go where PostgreSQL puts them by default for the new direction, unless written."""
    desc = not node.args.get("desc")
    if bool(node.args.get("nulls_first")) != desc and node.args.get("nulls_first") == (not desc):
        node.set("nulls_first", desc)  # the old default placement: move it along with the direction
    node.set("desc", desc)


def _outer_columns(node: exp.Expression) -> Iterator[exp.Column]:
    """Columns of the query around a COUNT(*), nullable ones first: COUNT(col) then skips NULLs."""
    select = node.find_ancestor(exp.Select)
    if select is None:
        return
    for join in select.args.get("joins") or []:
        yield from join.find_all(exp.Column)


def mutate(rel: str, text: str) -> list[Mutant]:
    """Every single-change mutant of a SQL file, in a stable order."""
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # "falling back to a Command" is expected for PL/pgSQL
    try:
        statements = [s for s in sqlglot.parse(text, read="postgres") if s is not None]
    except sqlglot.errors.SqlglotError:
        return []
    if not statements or any(isinstance(s, exp.Command) for s in statements):
        return []
    rendered = [s.sql(dialect="postgres") for s in statements]
    mutants: list[Mutant] = []
    counts: dict[str, int] = {}
    for index, statement in enumerate(statements):
        for position, node in enumerate(statement.walk()):
            for operator, change in _changes(node):
                copy = statement.copy()
                target = list(copy.walk())[position]
                before = target.sql(dialect="postgres")
                change(target)
                try:
                    after = copy.sql(dialect="postgres")
                except Exception:  # a change sqlglot cannot render is no mutant
                    continue
                if after == rendered[index]:
                    continue
                number = counts[operator] = counts.get(operator, 0) + 1
                body = [*rendered[:index], after, *rendered[index + 1:]]
                mutants.append(Mutant(rel, f"{operator}-{number}", _clip(before), ";\n".join(body) + ";\n"))
    return mutants


def _clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
