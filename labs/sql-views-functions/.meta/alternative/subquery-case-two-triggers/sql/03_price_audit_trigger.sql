-- two triggers, each with its own function; the WHEN clause filters unchanged prices
CREATE FUNCTION audit_price_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO price_audit (product_id, old_price, new_price, action)
    VALUES (NEW.id, OLD.price, NEW.price, TG_OP);
    RETURN NULL;
END;
$$;

CREATE FUNCTION audit_product_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO price_audit (product_id, old_price, action) VALUES (OLD.id, OLD.price, 'DELETE');
    RETURN NULL;
END;
$$;

CREATE TRIGGER price_update_audit AFTER UPDATE OF price ON products
FOR EACH ROW WHEN (OLD.price IS DISTINCT FROM NEW.price) EXECUTE FUNCTION audit_price_update();

CREATE TRIGGER product_delete_audit AFTER DELETE ON products
FOR EACH ROW EXECUTE FUNCTION audit_product_delete();
