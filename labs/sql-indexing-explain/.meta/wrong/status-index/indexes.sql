-- Indexes the filter column only: every pending order is fetched and sorted to keep 20.
CREATE INDEX users_email_lower_idx ON users (lower(email));
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);
CREATE INDEX orders_status_idx ON orders (status);
