SELECT p.id AS product_id, p.name AS product_name, p.category,
       coalesce(sum(oi.quantity), 0) AS units_sold
FROM products AS p
LEFT JOIN (order_items AS oi JOIN orders AS o ON o.id = oi.order_id AND o.status = 'completed')
       ON oi.product_id = p.id
GROUP BY p.id, p.name, p.category
ORDER BY units_sold DESC, p.id;
