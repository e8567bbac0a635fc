CREATE FUNCTION log_price_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO price_audit (product_id, old_price, new_price, action)
        VALUES (OLD.id, OLD.price, NULL, 'DELETE');
        RETURN OLD;
    END IF;
    INSERT INTO price_audit (product_id, old_price, new_price, action)
    VALUES (OLD.id, OLD.price, NEW.price, 'UPDATE');
    RETURN NEW;
END;
$$;

CREATE TRIGGER products_price_audit
AFTER UPDATE OF price OR DELETE ON products
FOR EACH ROW EXECUTE FUNCTION log_price_change();
