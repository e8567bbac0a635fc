"""Hidden checks: the hidden dataset plus rows that tie exactly where window mistakes show."""

import pytest


@pytest.fixture
def shop(sql):
    """A fresh copy with more ties: prices, order times, and best sellers."""
    fresh = sql.fresh()
    top = fresh.query("SELECT max(price) FROM products").rows[0][0]
    fresh.query(
        # two more products at the top price, in a new category
        "INSERT INTO products VALUES (999001, 'Cello', 'music', %s), (999002, 'Flute', 'music', %s),"
        " (999003, 'Drum', 'music', 30.00), (999004, 'Bell', 'music', 2.00)",
        (top, top),
    )
    first = fresh.query("SELECT min(id) FROM customers").rows[0][0]
    fresh.query(
        # three completed orders of one customer at the same moment, inserted highest id first;
        # Cello and Flute tie for first in 'music', Drum comes after them (rank 3, not 2)
        "INSERT INTO orders VALUES (999103, %s, TIMESTAMP '2024-06-30 12:00', 'completed'),"
        " (999102, %s, TIMESTAMP '2024-06-30 12:00', 'completed'),"
        " (999101, %s, TIMESTAMP '2024-06-30 12:00', 'completed')",
        (first, first, first),
    )
    fresh.query(
        "INSERT INTO order_items VALUES (999103, 999001, 5, 10.00), (999102, 999002, 5, 10.00),"
        " (999101, 999003, 4, 30.00), (999101, 999004, 1, 2.00)"
    )
    return fresh


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_price_rank_with_a_tie_at_the_top(shop):
    """three products share the top price"""
    shop.check("queries/01_price_rank.sql")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_running_revenue_with_three_orders_at_one_moment(shop):
    """three completed orders at the same moment are added one at a time, by order_id"""
    shop.check("queries/02_running_revenue.sql", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_previous_order_at_the_same_moment(shop):
    """a customer's orders at the same moment follow each other by order_id"""
    shop.check("queries/03_previous_order.sql")


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_best_sellers_with_a_tie_for_first(shop):
    """two products tie for first in a category, so nothing ranks 2 there"""
    shop.check("queries/04_top_products_per_category.sql", ordered=True)
