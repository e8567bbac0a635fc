-- Indexes the column, but the query filters on lower(email).
CREATE INDEX users_email_idx ON users (email);
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);
CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending';
