-- (wrong) a btree orders whole documents: it cannot answer @> or ?
CREATE INDEX products_attrs_btree ON products (attrs);
