"""Public checks for sql-dml: your script and the reference each run on a fresh copy of the data;
then the tables the task names, and every other table, are compared."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_fill_reorder_list(sql):
    """reorder_list gets exactly the low, active pairs not yet listed"""
    sql.check_state("scripts/01_fill_reorder_list.sql", ["reorder_list"])


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_fill_reorder_list_twice(sql):
    """running the script twice leaves the same reorder_list as running it once"""
    sql.check_state("scripts/01_fill_reorder_list.sql", ["reorder_list"], repeat=2)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_raise_norwegian_prices(sql):
    """only active products of Norwegian suppliers cost 5 % more"""
    sql.check_state("scripts/02_raise_norwegian_prices.sql", ["products"])


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_remove_discontinued(sql):
    """discontinued products without stock are gone with their empty stock rows; nothing else is"""
    sql.check_state("scripts/03_remove_discontinued.sql", ["products", "stock"])


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_book_deliveries(sql):
    """stock grows by every delivered quantity; new pairs get a row"""
    sql.check_state("scripts/04_book_deliveries.sql", ["stock"])
