-- A partial index whose predicate is not the query's: it holds every order that is not completed.
CREATE INDEX users_email_lower_idx ON users (lower(email));
CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at);
CREATE INDEX orders_open_created_idx ON orders (created_at) WHERE status <> 'completed';
