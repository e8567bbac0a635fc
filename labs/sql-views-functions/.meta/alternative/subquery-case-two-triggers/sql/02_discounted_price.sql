-- one CASE expression, and the condition name instead of the SQLSTATE
CREATE OR REPLACE FUNCTION discounted_price(price numeric, percent numeric)
RETURNS numeric
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
    IF percent NOT BETWEEN 0 AND 100 THEN
        RAISE invalid_parameter_value USING MESSAGE = format('discount %s%% is out of range', percent);
    END IF;
    RETURN CASE WHEN percent IS NULL THEN round(price, 2)
                ELSE round(price - price * percent / 100, 2) END;
END;
$$;
