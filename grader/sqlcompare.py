"""Comparing a learner's SQL result with the expected one, under explicit per-check rules.

The output is feedback a learner can act on: wrong columns, row counts, missing and extra rows,
wrong order. Rows are only quoted when `reveal` is true (public data), never for hidden data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

Row = tuple[Any, ...]
MAX_ROWS_SHOWN = 5


@dataclass(frozen=True)
class Rules:
    """How a check compares results; every choice is explicit and stated in the lab README.

    ordered: the row order must match (the README names the ORDER BY and its tie-breakers).
    columns: "name" matches columns by name (any column order); "position" ignores names.
    round_digits: numbers on both sides are rounded half-up to this many decimals first.
    tolerance: numbers may differ by at most this much (absolute).
    Rows are a bag: duplicates count. NULL and '' are different values.
    """

    ordered: bool = False
    columns: Literal["name", "position"] = "name"
    round_digits: int | None = None
    tolerance: float | None = None


@dataclass(frozen=True)
class ResultSet:
    columns: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class Comparison:
    ok: bool
    message: str = ""


def _normalise(value: Any, rules: Rules) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        if rules.round_digits is not None:
            number = number.quantize(Decimal(1).scaleb(-rules.round_digits), rounding=ROUND_HALF_UP)
        return number.normalize() if number.is_finite() else number
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, list):
        return tuple(_normalise(v, rules) for v in value)
    return value


def _close(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return abs(a - b) <= Decimal(str(tolerance))
    return bool(a == b)


def _rows_equal(a: Row, b: Row, rules: Rules) -> bool:
    if rules.tolerance is None:
        return a == b
    return len(a) == len(b) and all(_close(x, y, rules.tolerance) for x, y in zip(a, b, strict=True))


def show_value(value: Any) -> str:
    """SQL-ish rendering, so that NULL, '' and 1 vs '1' are told apart."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return f"'{value.isoformat(sep=' ') if isinstance(value, dt.datetime) else value.isoformat()}'"
    return str(value)


def show_row(row: Row) -> str:
    return "(" + ", ".join(show_value(v) for v in row) + ")"


def _align_columns(expected: ResultSet, actual: ResultSet, rules: Rules) -> tuple[list[Row], str]:
    """Actual rows with columns in the expected order, or a message saying why that is impossible."""
    if rules.columns == "position":
        if len(expected.columns) != len(actual.columns):
            return [], f"expected {len(expected.columns)} columns, got {len(actual.columns)}"
        return actual.rows, ""
    wanted, got = expected.columns, actual.columns
    missing = [c for c in wanted if c not in got]
    extra = [c for c in got if c not in wanted]
    duplicated = sorted({c for c in got if got.count(c) > 1})
    if missing or extra or duplicated:
        parts = [f"expected columns ({', '.join(wanted)}), got ({', '.join(got)})"]
        if missing:
            parts.append(f"missing: {', '.join(missing)}")
        if extra:
            parts.append(f"unexpected: {', '.join(extra)}")
        if duplicated:
            parts.append(f"repeated: {', '.join(duplicated)}")
        return [], "; ".join(parts) + " (name columns with AS)"
    index = [got.index(c) for c in wanted]
    return [tuple(row[i] for i in index) for row in actual.rows], ""


def _bag_difference(expected: list[Row], actual: list[Row], rules: Rules) -> tuple[list[Row], list[Row]]:
    if rules.tolerance is None:
        want, have = Counter(expected), Counter(actual)
        return list((want - have).elements()), list((have - want).elements())
    unmatched = list(actual)
    missing = []
    for row in expected:
        for i, candidate in enumerate(unmatched):
            if _rows_equal(row, candidate, rules):
                del unmatched[i]
                break
        else:
            missing.append(row)
    return missing, unmatched


def _listing(label: str, rows: Sequence[Row], reveal: bool) -> str:
    count = f"{len(rows)} {label} row{'s' if len(rows) != 1 else ''}"
    if not reveal:
        return count
    shown = "\n".join(f"    {show_row(r)}" for r in rows[:MAX_ROWS_SHOWN])
    more = f"\n    … and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
    return f"{count}:\n{shown}{more}"


def compare(expected: ResultSet, actual: ResultSet, rules: Rules, reveal: bool) -> Comparison:
    """Compare two results; `reveal` allows quoting rows (public data only)."""
    actual_rows, column_problem = _align_columns(expected, actual, rules)
    if column_problem:
        return Comparison(False, column_problem)
    want = [tuple(_normalise(v, rules) for v in row) for row in expected.rows]
    have = [tuple(_normalise(v, rules) for v in row) for row in actual_rows]
    missing, extra = _bag_difference(want, have, rules)
    if missing or extra:
        parts = [f"expected {len(want)} rows, got {len(have)}"]
        if missing:
            parts.append(_listing("missing", missing, reveal))
        if extra:
            parts.append(_listing("unexpected", extra, reveal))
        return Comparison(False, "\n".join(parts))
    if rules.ordered:
        for position, (w, h) in enumerate(zip(want, have, strict=True), start=1):
            if not _rows_equal(w, h, rules):
                detail = f": expected {show_row(w)}, got {show_row(h)}" if reveal else ""
                return Comparison(
                    False,
                    f"the rows are right but not in the required order; first difference at row {position}{detail}",
                )
    return Comparison(True)
