SELECT id AS customer_id, name, email
FROM customers
WHERE city IS NULL
ORDER BY id;
