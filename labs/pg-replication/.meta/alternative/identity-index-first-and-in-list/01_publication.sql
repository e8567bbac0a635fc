ALTER TABLE orders ADD CONSTRAINT orders_region_id_key UNIQUE (region, id);
ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_region_id_key;
CREATE PUBLICATION eu_orders
    FOR TABLE orders (status, total, placed_at, region, customer_id, id)
    WHERE (region IN ('eu'))
    WITH (publish = 'insert, update, delete');
