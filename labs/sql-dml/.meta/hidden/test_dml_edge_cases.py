"""Hidden checks: the hidden dataset plus rows added to expose the classic DML mistakes.

Added rows take their warehouses and suppliers from the data by query, so they fit any variant.
"""

import pytest

NEW_PRODUCT = (
    "INSERT INTO products (id, sku, name, category, price, supplier_id, reorder_level, discontinued) "
    "VALUES ({id}, 'ADV-{id}', 'Test {id}', 'garden', {price}, {supplier}, {level}, {discontinued});"
)


def product(pid, *, price="9.50", supplier="NULL", level=10, discontinued="false"):
    return NEW_PRODUCT.format(id=pid, price=price, supplier=supplier, level=level, discontinued=discontinued)


def stock_everywhere(pid, qty):
    return f"INSERT INTO stock (warehouse_id, product_id, qty) SELECT id, {pid}, {qty} FROM warehouses;"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_reorder_list_with_partly_listed_and_borderline_pairs(sql):
    """a low product listed in one warehouse only, a discontinued low product, a qty equal to the level"""
    setup = (
        product(990001, level=10) + stock_everywhere(990001, 3)
        + "INSERT INTO reorder_list SELECT min(id), 990001, 1 FROM warehouses;"
        + product(990002, level=10, discontinued="true") + stock_everywhere(990002, 1)
        + product(990003, level=6) + stock_everywhere(990003, 6)
    )
    sql.check_state("scripts/01_fill_reorder_list.sql", ["reorder_list"], setup=setup, repeat=2)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_prices_with_new_norwegian_and_countryless_suppliers(sql):
    """a new Norwegian supplier, a supplier without country, a discontinued Norwegian product"""
    setup = (
        "INSERT INTO suppliers VALUES (990101, 'Nord Test', 'Norway'), (990102, 'Nowhere Test', NULL);"
        + product(990101, price="10.10", supplier=990101)
        + product(990102, price="10.10", supplier=990102)
        + product(990103, price="10.10", supplier=990101, discontinued="true")
        + product(990104, price="10.10")
    )
    sql.check_state("scripts/02_raise_norwegian_prices.sql", ["products"], setup=setup)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_remove_with_mixed_stock(sql):
    """stock in one warehouse only keeps a discontinued product; all-zero rows do not"""
    setup = (
        product(990201, discontinued="true") + stock_everywhere(990201, 0)
        + "UPDATE stock SET qty = 1 WHERE product_id = 990201 "
          "AND warehouse_id = (SELECT max(id) FROM warehouses);"
        + product(990202, discontinued="true") + stock_everywhere(990202, 0)
        + product(990203)  # active, no stock at all: stays
    )
    sql.check_state("scripts/03_remove_discontinued.sql", ["products", "stock"], setup=setup)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_book_repeated_deliveries_of_a_new_pair(sql):
    """one new pair delivered three times, and a delivery onto a row with qty 0"""
    setup = (
        product(990301) + product(990302) + "INSERT INTO stock SELECT min(id), 990302, 0 FROM warehouses;"
        + "INSERT INTO deliveries SELECT 990300 + n, (SELECT max(id) FROM warehouses), 990301, n, DATE '2024-09-09' "
          "FROM generate_series(1, 3) AS n;"
        + "INSERT INTO deliveries SELECT 990310, min(id), 990302, 7, DATE '2024-09-09' FROM warehouses;"
    )
    sql.check_state("scripts/04_book_deliveries.sql", ["stock"], setup=setup)
