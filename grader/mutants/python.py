"""Python mutants of a reference module, made on the standard library's syntax tree.

One change each: a comparison operator (< <=, > >=, == !=, in / not in, is / is not), an
arithmetic operator (+ -, * /, // /), and/or, a small integer constant off by one, True/False, a
`not` dropped, a statement in a function body dropped (replaced by `pass`).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from grader.mutants.model import Mutant

COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
}
Change = tuple[str, Callable[[Any], Any]]


def _changes(node: Any) -> Iterator[Change]:
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in COMPARE:
                yield "comparison", partial(_swap_comparison, index)
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in ARITHMETIC:
        yield "arithmetic", lambda n: setattr(n, "op", ARITHMETIC[type(n.op)]())
    if isinstance(node, ast.BoolOp):
        yield "and-or", lambda n: setattr(n, "op", ast.Or() if isinstance(n.op, ast.And) else ast.And())
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            yield "constant", lambda n: setattr(n, "value", not n.value)
        elif isinstance(node.value, int) and abs(node.value) < 10_000:
            yield "constant", lambda n: setattr(n, "value", n.value + 1)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "drop-not", lambda n: None  # handled by the caller: replace the node by its operand
    if isinstance(node, (ast.FunctionDef, ast.If, ast.For, ast.While, ast.With, ast.Try)):
        body = node.body
        for index, statement in enumerate(body):
            if not isinstance(statement, (ast.Return, ast.Pass)) and not _is_docstring(statement, index):
                yield "drop-statement", partial(_drop_statement, index)


def _swap_comparison(index: int, node: ast.Compare) -> None:
    node.ops[index] = COMPARE[type(node.ops[index])]()


def _drop_statement(index: int, node: Any) -> None:
    node.body[index] = ast.Pass()


def _is_docstring(statement: ast.stmt, index: int) -> bool:
    return index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)


class _DropNot(ast.NodeTransformer):
    def __init__(self, target: ast.AST) -> None:
        self.target = target

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        return node.operand if node is self.target else self.generic_visit(node)


def mutate(rel: str, text: str) -> list[Mutant]:
    """Every single-change mutant of a Python module, in a stable order."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    original = ast.unparse(tree)
    mutants: list[Mutant] = []
    counts: dict[str, int] = {}
    for position, node in enumerate(ast.walk(tree)):
        for operator, change in _changes(node):
            mutated = copy.deepcopy(tree)
            target = list(ast.walk(mutated))[position]
            if operator == "drop-not":
                mutated = _DropNot(target).visit(mutated)
            else:
                change(target)
            after = ast.unparse(ast.fix_missing_locations(mutated))
            if after == original:
                continue
            number = counts[operator] = counts.get(operator, 0) + 1
            where = ast.unparse(node).splitlines()[0] if not isinstance(node, ast.FunctionDef) else f"def {node.name}"
            mutants.append(Mutant(rel, f"{operator}-{number}", where[:70], after + "\n"))
    return mutants
