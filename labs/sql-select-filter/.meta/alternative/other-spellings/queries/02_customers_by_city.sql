-- false sorts before true: customers with a city first
SELECT id AS customer_id, name, city
FROM customers
ORDER BY city IS NULL, city DESC, name, customer_id;
