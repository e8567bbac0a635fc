-- The default GIN operator class (jsonb_ops) serves @> and ? alike.
CREATE INDEX products_attrs_gin ON products USING gin (attrs);
