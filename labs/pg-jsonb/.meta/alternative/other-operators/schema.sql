ALTER TABLE products ADD COLUMN brand text GENERATED ALWAYS AS (attrs ->> 'brand') STORED;
ALTER TABLE products ADD CHECK (
    coalesce(jsonb_typeof(attrs -> 'price') = 'number', false)
    AND coalesce(jsonb_path_exists(attrs, '$.price ? (@ >= 0)'), false)
);
