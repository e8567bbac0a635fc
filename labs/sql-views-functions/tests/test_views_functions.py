"""Public checks for sql-views-functions: your script and the reference each run on a fresh copy of
the data; then the same statements run on both and what they give (or leave) is compared."""

import pytest

VIEW = "sql/01_product_stock_view.sql"
FUNCTION = "sql/02_discounted_price.sql"
TRIGGER = "sql/03_price_audit_trigger.sql"

NEW_PRODUCT = ("INSERT INTO products (id, sku, name, category, price, reorder_level) "
               "VALUES (990001, 'NEW-990001', 'Lantern', 'garden', 12.00, 5);")
LATER_CHANGES = (
    "UPDATE stock SET qty = qty + 7 WHERE product_id IN (SELECT id FROM products WHERE category = 'kitchen');"
    "DELETE FROM stock WHERE product_id IN (SELECT id FROM products WHERE category = 'office');"
    + NEW_PRODUCT
    + "UPDATE products SET discontinued = true "
      "WHERE id = (SELECT min(id) FROM products WHERE NOT discontinued AND category = 'toys');"
)
AUDITED = ["price_audit", "products"]
NOT_COMPARED = ["price_audit.id", "price_audit.changed_at"]


# 1. The view ------------------------------------------------------------------------------
@pytest.mark.task(1)
@pytest.mark.points(1)
def test_product_stock_is_a_view(sql):
    """product_stock is a view"""
    sql.applied(VIEW).expect_relation("product_stock", "view")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_product_stock_rows(sql):
    """product_stock has one row per active product, 0 for products without stock"""
    sql.check_after(VIEW, "SELECT * FROM product_stock")


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_product_stock_follows_later_changes(sql):
    """product_stock shows stock, products and discontinuations changed after it was created"""
    sql.check_after(VIEW, "SELECT * FROM product_stock", then=LATER_CHANGES)


# 2. The function --------------------------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.points(1)
def test_discounted_price_is_plpgsql(sql):
    """discounted_price is written in PL/pgSQL"""
    languages = sql.applied(FUNCTION).function_languages("discounted_price")
    assert languages, "there is no function discounted_price: create it with CREATE FUNCTION"
    assert languages == ["plpgsql"], f"discounted_price must be LANGUAGE plpgsql, not {', '.join(languages)}"


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_discounted_price_results(sql):
    """discounted_price for ordinary inputs, the bounds 0 and 100, and NULLs"""
    sql.check_after(
        FUNCTION,
        "SELECT price, percent, discounted_price(price, percent) AS result FROM (VALUES "
        "(19.99::numeric, 15::numeric), (10.05, 50), (42.00, 0), (42.00, 100), (1234.56, 12.5), (0.99, 33.3), "
        "(7.50, NULL), (3.333, NULL), (NULL, 20), (NULL, NULL)) AS t(price, percent)",
    )


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_discounted_price_refuses_bad_percent(sql):
    """percent below 0 or above 100 raises invalid_parameter_value (22023)"""
    db = sql.applied(FUNCTION)
    for percent in ("-5", "120"):
        db.expect_error(f"SELECT discounted_price(10.00, {percent})", "22023",
                        explain=f"a percent of {percent} must raise an error (RAISE EXCEPTION … USING ERRCODE)")


# 3. The audit trigger ---------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.points(2)
def test_price_updates_are_audited(sql):
    """updates that change prices, several rows at once, are recorded"""
    then = ("UPDATE products SET price = price + 1 WHERE category = 'kitchen';"
            "UPDATE products SET price = round(price * 0.9, 2) WHERE category = 'toys' AND NOT discontinued;")
    sql.check_state(TRIGGER, AUDITED, then=then, exclude=NOT_COMPARED)


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_deletes_are_audited(sql):
    """deleted products are recorded with their last price"""
    then = (NEW_PRODUCT + "UPDATE products SET price = 13.50 WHERE id = 990001;"
            "DELETE FROM products WHERE id = 990001;"
            "DELETE FROM products AS p WHERE NOT EXISTS (SELECT 1 FROM stock AS s WHERE s.product_id = p.id) "
            "AND NOT EXISTS (SELECT 1 FROM deliveries AS d WHERE d.product_id = p.id);")
    sql.check_state(TRIGGER, AUDITED, then=then, exclude=NOT_COMPARED)


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_other_changes_are_not_audited(sql):
    """inserts, renames and updates that keep the price are not recorded"""
    then = (NEW_PRODUCT + "UPDATE products SET name = name || ' (classic)' WHERE category = 'office';"
            "UPDATE products SET price = price WHERE category = 'garden';")
    sql.check_state(TRIGGER, AUDITED, then=then, exclude=NOT_COMPARED)
