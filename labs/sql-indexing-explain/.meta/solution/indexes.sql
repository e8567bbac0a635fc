-- 1. an expression index: the query compares lower(email), so index lower(email)
CREATE INDEX users_email_lower_idx ON users (lower(email));

-- 2. equality column first, range/sort column second: one customer's orders, already in time order
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);

-- 3. a partial index over the few pending orders, in the order the query reads them
CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending';
