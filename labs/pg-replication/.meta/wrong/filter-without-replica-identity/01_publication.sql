-- The filter uses region, which the replica identity (the primary key) does not cover:
-- every UPDATE and DELETE on orders now fails.
CREATE PUBLICATION eu_orders
    FOR TABLE orders (id, customer_id, region, placed_at, total, status)
    WHERE (region = 'eu');
