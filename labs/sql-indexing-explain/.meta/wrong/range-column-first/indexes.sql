-- The range column first: the index is walked across the whole date range to find one customer.
CREATE INDEX users_email_lower_idx ON users (lower(email));
CREATE INDEX orders_created_customer_idx ON orders (created_at, customer_id);
CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending';
