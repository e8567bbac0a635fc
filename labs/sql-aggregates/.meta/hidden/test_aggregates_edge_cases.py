"""Hidden checks: the hidden dataset plus rows that expose the classic aggregation mistakes."""

import pytest


@pytest.fixture
def shop(sql):
    """A fresh copy with empty and lopsided groups added."""
    fresh = sql.fresh()
    fresh.query(
        # a customer without a city, who orders 6 times but completes only one order
        "INSERT INTO customers VALUES (999001, 'Ines Okoro', 'ines.okoro@example.test', NULL, DATE '2024-02-01');"
        "INSERT INTO orders SELECT 999100 + n, 999001, TIMESTAMP '2024-08-01 10:00' + n * INTERVAL '1 day',"
        " CASE WHEN n = 0 THEN 'completed' ELSE 'cancelled' END FROM generate_series(0, 5) AS n;"
        # a category nobody bought from, and one sold only in a cancelled order
        "INSERT INTO products VALUES (999002, 'Drum', 'music', 30.00), (999003, 'Harp', 'crafts', 80.00);"
        "INSERT INTO order_items VALUES (999101, 999003, 2, 80.00);"
        # a pending guest order
        "INSERT INTO orders VALUES (999200, NULL, TIMESTAMP '2024-09-09 09:00', 'pending');"
    )
    return fresh


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_city_groups_with_more_nulls(shop):
    """the NULL-city group counts every customer without a city"""
    shop.check("queries/01_customers_per_city.sql")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_status_summary_with_guests(shop):
    """guest orders and distinct customers per status, with more guests and repeat customers"""
    shop.check("queries/02_order_status_summary.sql", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_categories_without_completed_sales(shop):
    """categories with no completed sale appear with 0, 0 and NULL"""
    shop.check("queries/03_category_revenue.sql", round_digits=2)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_frequent_customer_with_mostly_cancelled_orders(shop):
    """a customer with 6 orders, 5 cancelled, is frequent: the threshold counts every status"""
    shop.check("queries/04_frequent_customers.sql", ordered=True)
