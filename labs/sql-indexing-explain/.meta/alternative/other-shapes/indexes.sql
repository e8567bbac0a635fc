-- Unique expression index, a single-column index on customer_id, and (status, created_at) instead of a partial index.
CREATE UNIQUE INDEX users_lower_email_key ON users (lower(email));
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
