-- A small jsonb_path_ops index for containment, and a partial index for the rare key.
CREATE INDEX products_attrs_path ON products USING gin (attrs jsonb_path_ops);
CREATE INDEX products_discontinued ON products (id) WHERE attrs ? 'discontinued';
