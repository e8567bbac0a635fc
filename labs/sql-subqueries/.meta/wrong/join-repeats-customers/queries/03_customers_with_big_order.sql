SELECT c.id AS customer_id, c.name
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id AND o.status = 'completed'
JOIN (SELECT order_id, sum(quantity * unit_price) AS total
      FROM order_items GROUP BY order_id) AS t ON t.order_id = o.id
WHERE t.total > 150;
