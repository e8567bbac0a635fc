"""Hidden checks: the hidden dataset plus rows that tie, cross categories and hide behind NULLs."""

import pytest


@pytest.fixture
def shop(sql):
    """A fresh copy with a tied category maximum, a price shared across categories, and guest orders."""
    fresh = sql.fresh()
    books_max = fresh.query("SELECT max(price) FROM products WHERE category = 'books'").rows[0][0]
    fresh.query(
        # two music products tie for the top of their category; a third costs what the best book costs
        "INSERT INTO products VALUES (999001, 'Cello', 'music', 99.00), (999002, 'Harp', 'music', 99.00),"
        " (999003, 'Bell', 'music', %s)",
        (books_max,),
    )
    fresh.query(
        "INSERT INTO customers VALUES"
        " (999001, 'Ines Okoro', 'ines.okoro@example.test', NULL, DATE '2024-02-01'),"
        " (999002, 'Teo Marsh', 'teo.marsh@example.test', 'Oslo', DATE '2024-02-02');"
        # Ines: two big completed orders; Teo: a big cancelled one only; a big completed guest order
        "INSERT INTO orders VALUES (999101, 999001, TIMESTAMP '2024-05-01 10:00', 'completed'),"
        " (999102, 999001, TIMESTAMP '2024-05-02 10:00', 'completed'),"
        " (999103, 999002, TIMESTAMP '2024-05-03 10:00', 'cancelled'),"
        " (999104, NULL, TIMESTAMP '2024-05-04 10:00', 'completed');"
        "INSERT INTO order_items VALUES (999101, 999001, 2, 99.00), (999102, 999002, 3, 99.00),"
        " (999103, 999001, 4, 99.00), (999104, 999002, 2, 99.00);"
    )
    return fresh


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_above_average_with_new_expensive_products(shop):
    """the average moves when products are added"""
    shop.check("queries/01_above_average_products.sql", ordered=True, round_digits=2)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_tied_maximum_and_a_price_shared_across_categories(shop):
    """both tied products are listed, and a price that is another category's maximum is not"""
    shop.check("queries/02_priciest_in_category.sql")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_big_orders_repeated_cancelled_and_guest(shop):
    """two big orders list a customer once; a cancelled big order or a guest's does not count"""
    shop.check("queries/03_customers_with_big_order.sql")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_without_completed_orders_beside_guest_orders(shop):
    """a customer with only a cancelled order is found although completed guest orders exist"""
    shop.check("queries/04_customers_without_completed_orders.sql", ordered=True)
