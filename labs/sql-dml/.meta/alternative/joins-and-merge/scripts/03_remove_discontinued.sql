-- one statement: data-modifying CTEs
WITH doomed AS (
    SELECT p.id
    FROM products p
    LEFT JOIN stock s ON s.product_id = p.id
    WHERE p.discontinued
    GROUP BY p.id
    HAVING coalesce(max(s.qty), 0) = 0
), emptied AS (
    DELETE FROM stock WHERE product_id IN (SELECT id FROM doomed)
)
DELETE FROM products WHERE id IN (SELECT id FROM doomed);
