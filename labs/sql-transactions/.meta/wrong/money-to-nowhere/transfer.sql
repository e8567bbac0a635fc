-- Safe under concurrency, but never checks that the receiver exists: the money vanishes.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF amount IS NULL OR amount <= 0 OR from_id = to_id THEN
        RAISE EXCEPTION 'invalid transfer';
    END IF;
    PERFORM 1 FROM accounts WHERE id IN (from_id, to_id) ORDER BY id FOR UPDATE;
    UPDATE accounts SET balance = balance - amount WHERE id = from_id AND balance >= amount;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE accounts SET balance = balance + amount WHERE id = to_id;
    RETURN true;
END;
$$;
