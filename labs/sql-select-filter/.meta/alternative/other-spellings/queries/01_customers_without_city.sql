SELECT id AS customer_id, name, email
FROM customers
WHERE city IS NOT DISTINCT FROM NULL
ORDER BY customer_id;
