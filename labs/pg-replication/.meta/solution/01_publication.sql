-- Task 1, on the publisher: publish EU orders, without the card numbers.
-- A row filter may only use columns of the replica identity (the key that UPDATE and DELETE send
-- to the subscriber), and a column list must include them: make (id, region) the identity.
CREATE UNIQUE INDEX orders_id_region_key ON orders (id, region);
ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_id_region_key;

CREATE PUBLICATION eu_orders
    FOR TABLE orders (id, customer_id, region, placed_at, total, status)
    WHERE (region = 'eu');
