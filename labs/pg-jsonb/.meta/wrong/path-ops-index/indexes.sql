-- (wrong) jsonb_path_ops serves @> but not the key-existence operator ?
CREATE INDEX products_attrs_path_ops ON products USING gin (attrs jsonb_path_ops);
