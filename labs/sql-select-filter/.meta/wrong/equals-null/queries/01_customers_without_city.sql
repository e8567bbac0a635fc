SELECT id AS customer_id, name, email
FROM customers
WHERE city = NULL
ORDER BY id;
