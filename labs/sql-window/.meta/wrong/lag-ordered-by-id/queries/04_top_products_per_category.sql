WITH sales AS (
    SELECT p.category, p.id AS product_id, p.name AS product_name, sum(oi.quantity) AS units_sold
    FROM products AS p
    JOIN order_items AS oi ON oi.product_id = p.id
    JOIN orders AS o ON o.id = oi.order_id
    WHERE o.status = 'completed'
    GROUP BY p.category, p.id, p.name
), ranked AS (
    SELECT *, rank() OVER (PARTITION BY category ORDER BY units_sold DESC) AS sales_rank
    FROM sales
)
SELECT category, product_id, product_name, units_sold, sales_rank
FROM ranked
WHERE sales_rank <= 2
ORDER BY category, sales_rank, product_id;
