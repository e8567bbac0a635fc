CREATE FUNCTION discounted_price(price numeric, percent numeric)
RETURNS numeric
LANGUAGE plpgsql
AS $$
BEGIN
    IF percent IS NULL THEN
        RETURN round(price, 2);
    END IF;
    IF percent < 0 OR percent > 100 THEN
        RAISE EXCEPTION 'percent must be between 0 and 100, got %', percent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN round(price * (100 - percent) / 100, 2);
END;
$$;
