-- No column list: card_number is published too.
CREATE UNIQUE INDEX orders_id_region_key ON orders (id, region);
ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_id_region_key;
CREATE PUBLICATION eu_orders FOR TABLE orders WHERE (region = 'eu');
