ALTER TABLE products
    ADD COLUMN brand text GENERATED ALWAYS AS (attrs ->> 'brand') STORED;

-- CASE decides before the cast runs, and its ELSE turns "no price" (NULL) into false.
ALTER TABLE products
    ADD CONSTRAINT price_is_a_non_negative_number
    CHECK (CASE WHEN jsonb_typeof(attrs -> 'price') = 'number'
                THEN (attrs ->> 'price')::numeric >= 0
                ELSE false END);
