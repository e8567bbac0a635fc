"""Hidden checks: the hidden dataset plus rows and statements that expose the usual mistakes."""

import pytest

VIEW = "sql/01_product_stock_view.sql"
FUNCTION = "sql/02_discounted_price.sql"
TRIGGER = "sql/03_price_audit_trigger.sql"


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_view_with_empty_rows_and_discontinued_stock(sql):
    """a product whose stock rows are all 0, and stock of a product discontinued later"""
    setup = ("INSERT INTO products (id, sku, name, category, price, reorder_level) "
             "VALUES (990101, 'ADV-990101', 'Sieve', 'kitchen', 6.49, 0);"
             "INSERT INTO stock SELECT id, 990101, 0 FROM warehouses;")
    then = ("UPDATE products SET discontinued = true WHERE id = (SELECT max(product_id) FROM stock WHERE qty > 0);"
            "UPDATE products SET price = price * 2 WHERE category = 'garden';")
    sql.check_after(VIEW, "SELECT * FROM product_stock", setup=setup, then=then)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_function_over_the_products(sql):
    """discounted_price on every product, with and without a percent"""
    sql.check_after(
        FUNCTION,
        "SELECT id, discounted_price(price, CASE category WHEN 'toys' THEN NULL WHEN 'office' THEN 100 "
        "ELSE reorder_level + 2.5 END) AS result FROM products",
    )


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_one_update_that_changes_only_some_prices(sql):
    """a single UPDATE that raises low prices and leaves the others as they are"""
    then = "UPDATE products SET price = greatest(price, 20.00);"
    sql.check_state(TRIGGER, ["price_audit", "products"], then=then,
                    exclude=["price_audit.id", "price_audit.changed_at"])
