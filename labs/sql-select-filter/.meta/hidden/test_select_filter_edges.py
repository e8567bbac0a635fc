"""Hidden checks: the hidden dataset plus rows on the exact edges of each filter and sort."""

import pytest


@pytest.fixture
def shop(sql):
    """A fresh copy with rows on the edges: NULL cities, upper-case names, tied and boundary times."""
    fresh = sql.fresh()
    fresh.query(
        "INSERT INTO customers VALUES"
        " (999001, 'RAFAEL ORTIZ', 'rafael.ortiz@example.test', NULL, DATE '2024-01-05'),"
        " (999002, 'Zara Ahn', 'zara.ahn@example.test', 'Zagreb', DATE '2024-01-06'),"
        " (999003, 'Ada Abara', 'ada.abara.2@example.test', NULL, DATE '2024-01-07');"
        # five orders at one new latest moment, inserted lowest id first
        "INSERT INTO orders VALUES (999101, NULL, TIMESTAMP '2025-01-01 00:00', 'pending'),"
        " (999102, 999001, TIMESTAMP '2025-01-01 00:00', 'completed'),"
        " (999103, 999002, TIMESTAMP '2025-01-01 00:00', 'cancelled'),"
        " (999104, NULL, TIMESTAMP '2025-01-01 00:00', 'completed'),"
        " (999105, 999001, TIMESTAMP '2025-01-01 00:00', 'pending');"
        # the edges of March: first and last moments in, April's first moment out
        "INSERT INTO orders VALUES (999201, 999003, TIMESTAMP '2024-03-01 00:00', 'pending'),"
        " (999202, 999003, TIMESTAMP '2024-03-31 23:59:59', 'completed'),"
        " (999203, 999003, TIMESTAMP '2024-04-01 00:00', 'completed'),"
        " (999204, 999003, TIMESTAMP '2024-03-31 23:00', 'cancelled');"
    )
    return fresh


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_more_customers_without_city(shop):
    """new customers without a city are found"""
    shop.check("queries/01_customers_without_city.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_sort_with_more_nulls_and_a_z_city(shop):
    """a city starting with Z comes first and no-city customers stay last"""
    shop.check("queries/02_customers_by_city.sql", ordered=True)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_latest_orders_with_a_five_way_tie(shop):
    """five orders at the latest moment come by order_id descending"""
    shop.check("queries/03_latest_orders.sql", ordered=True)


@pytest.mark.task(4)
@pytest.mark.points(1)
def test_name_search_in_upper_case(shop):
    """an all-capitals name matches"""
    shop.check("queries/04_name_search.sql", ordered=True)


@pytest.mark.task(5)
@pytest.mark.points(1)
def test_march_edges(shop):
    """the first and last moments of March count, 1 April 00:00 does not"""
    shop.check("queries/05_march_orders.sql", ordered=True)
