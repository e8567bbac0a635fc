-- Every region's orders leave the server.
CREATE PUBLICATION eu_orders FOR TABLE orders (id, customer_id, region, placed_at, total, status);
