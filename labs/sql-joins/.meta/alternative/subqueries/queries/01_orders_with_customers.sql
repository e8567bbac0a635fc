SELECT o.id AS order_id,
       (SELECT c.name FROM customers c WHERE c.id = o.customer_id) AS customer_name,
       o.ordered_at
FROM orders o
WHERE o.customer_id IS NOT NULL
ORDER BY 1;
