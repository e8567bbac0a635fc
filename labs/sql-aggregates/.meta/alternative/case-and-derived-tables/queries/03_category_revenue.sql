WITH lines AS (
    SELECT p.category, oi.quantity, oi.quantity * oi.unit_price AS amount
    FROM order_items AS oi
    JOIN orders AS o ON o.id = oi.order_id
    JOIN products AS p ON p.id = oi.product_id
    WHERE o.status = 'completed'
), per_category AS (
    SELECT category, sum(quantity) AS units, sum(amount) AS revenue,
           sum(quantity)::numeric / count(*) AS average
    FROM lines
    GROUP BY category
)
SELECT c.category,
       coalesce(pc.units, 0) AS units_sold,
       coalesce(pc.revenue, 0) AS revenue,
       pc.average AS avg_units_per_line
FROM (SELECT DISTINCT category FROM products) AS c
LEFT JOIN per_category AS pc ON pc.category = c.category;
