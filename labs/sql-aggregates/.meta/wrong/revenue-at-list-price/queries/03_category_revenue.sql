SELECT p.category,
       coalesce(sum(s.quantity), 0) AS units_sold,
       coalesce(sum(s.quantity * p.price), 0) AS revenue,
       round(avg(s.quantity), 2) AS avg_units_per_line
FROM products AS p
LEFT JOIN (order_items AS s JOIN orders AS o ON o.id = s.order_id AND o.status = 'completed')
       ON s.product_id = p.id
GROUP BY p.category;
