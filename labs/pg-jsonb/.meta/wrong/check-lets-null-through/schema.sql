ALTER TABLE products
    ADD COLUMN brand text GENERATED ALWAYS AS (attrs ->> 'brand') STORED;

-- (wrong) without a price the expression is NULL, and a NULL CHECK passes
ALTER TABLE products
    ADD CONSTRAINT price_not_negative CHECK ((attrs ->> 'price')::numeric >= 0);
