SELECT p.category,
       sum(s.quantity) AS units_sold,
       sum(s.quantity * s.unit_price) AS revenue,
       round(avg(s.quantity), 2) AS avg_units_per_line
FROM products AS p
JOIN order_items AS s ON s.product_id = p.id
JOIN orders AS o ON o.id = s.order_id
WHERE o.status = 'completed'
GROUP BY p.category;
