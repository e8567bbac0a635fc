"""The SQL result comparison rules, one at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from grader.sqlcompare import ResultSet, Rules, compare

EXPECTED = ResultSet(["id", "name"], [(1, "Ada"), (2, "Bo"), (3, None)])


def test_same_rows_in_another_order_pass_when_order_does_not_matter() -> None:
    actual = ResultSet(["id", "name"], [(3, None), (1, "Ada"), (2, "Bo")])
    assert compare(EXPECTED, actual, Rules(), reveal=True).ok
    outcome = compare(EXPECTED, actual, Rules(ordered=True), reveal=True)
    assert not outcome.ok
    assert "not in the required order" in outcome.message
    assert "row 1" in outcome.message


def test_duplicates_count() -> None:
    actual = ResultSet(["id", "name"], [(1, "Ada"), (2, "Bo"), (3, None), (3, None)])
    outcome = compare(EXPECTED, actual, Rules(), reveal=True)
    assert not outcome.ok
    assert "expected 3 rows, got 4" in outcome.message
    assert "(3, NULL)" in outcome.message


def test_null_is_not_the_empty_string() -> None:
    actual = ResultSet(["id", "name"], [(1, "Ada"), (2, "Bo"), (3, "")])
    outcome = compare(EXPECTED, actual, Rules(), reveal=True)
    assert not outcome.ok
    assert "(3, NULL)" in outcome.message and "(3, '')" in outcome.message


def test_columns_by_name_accept_any_column_order() -> None:
    actual = ResultSet(["name", "id"], [("Ada", 1), ("Bo", 2), (None, 3)])
    assert compare(EXPECTED, actual, Rules(), reveal=True).ok


def test_wrong_column_names_are_named() -> None:
    actual = ResultSet(["id", "customer"], [(1, "Ada"), (2, "Bo"), (3, None)])
    outcome = compare(EXPECTED, actual, Rules(), reveal=True)
    assert not outcome.ok
    assert "missing: name" in outcome.message and "unexpected: customer" in outcome.message


def test_columns_by_position_ignore_names_but_not_count() -> None:
    actual = ResultSet(["a", "b"], [(1, "Ada"), (2, "Bo"), (3, None)])
    assert compare(EXPECTED, actual, Rules(columns="position"), reveal=True).ok
    fewer = ResultSet(["a"], [(1,), (2,), (3,)])
    assert "expected 2 columns, got 1" in compare(EXPECTED, fewer, Rules(columns="position"), reveal=True).message


def test_numbers_compare_by_value_and_rounding_is_explicit() -> None:
    expected = ResultSet(["avg"], [(Decimal("2.50"),)])
    assert compare(expected, ResultSet(["avg"], [(2.5,)]), Rules(), reveal=True).ok
    unrounded = ResultSet(["avg"], [(Decimal("2.4999"),)])
    assert not compare(expected, unrounded, Rules(), reveal=True).ok
    assert compare(expected, unrounded, Rules(round_digits=2), reveal=True).ok


def test_tolerance_allows_small_differences_only() -> None:
    expected = ResultSet(["x"], [(1.0,), (2.0,)])
    assert compare(expected, ResultSet(["x"], [(2.0004,), (0.9999,)]), Rules(tolerance=0.001), reveal=True).ok
    assert not compare(expected, ResultSet(["x"], [(2.01,), (1.0,)]), Rules(tolerance=0.001), reveal=True).ok


def test_hidden_data_is_never_quoted() -> None:
    actual = ResultSet(["id", "name"], [(1, "Ada"), (7, "Secret")])
    outcome = compare(EXPECTED, actual, Rules(), reveal=False)
    assert not outcome.ok
    assert "Secret" not in outcome.message and "Bo" not in outcome.message
    assert "2 missing rows" in outcome.message and "1 unexpected row" in outcome.message


def test_dates_are_shown_readably() -> None:
    expected = ResultSet(["d"], [(dt.date(2024, 1, 2),)])
    outcome = compare(expected, ResultSet(["d"], [(dt.date(2024, 1, 3),)]), Rules(), reveal=True)
    assert "'2024-01-02'" in outcome.message
