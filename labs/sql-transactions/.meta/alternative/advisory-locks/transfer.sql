-- Serialise transfers per account with transaction-level advisory locks, taken smaller id first.
-- Every writer of accounts goes through this function, so holding both advisory locks is enough.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    available numeric;
BEGIN
    IF coalesce(amount, 0) <= 0 OR from_id = to_id THEN
        RAISE EXCEPTION 'transfer(%, %, %) is not a valid transfer', from_id, to_id, amount;
    END IF;
    PERFORM pg_advisory_xact_lock(least(from_id, to_id));
    PERFORM pg_advisory_xact_lock(greatest(from_id, to_id));
    IF (SELECT count(*) FROM accounts WHERE id IN (from_id, to_id)) <> 2 THEN
        RAISE EXCEPTION 'unknown account';
    END IF;
    available := (SELECT balance FROM accounts WHERE id = from_id);
    IF available < amount THEN
        RETURN false;
    END IF;
    UPDATE accounts
       SET balance = balance + CASE WHEN id = to_id THEN amount ELSE -amount END
     WHERE id IN (from_id, to_id);
    RETURN true;
END;
$$;
