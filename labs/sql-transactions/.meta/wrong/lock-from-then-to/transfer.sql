-- Locks with SELECT … FOR UPDATE before reading, but the sender first and the receiver second.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    from_balance numeric;
BEGIN
    IF amount IS NULL OR amount <= 0 OR from_id = to_id THEN
        RAISE EXCEPTION 'invalid transfer';
    END IF;
    SELECT balance INTO from_balance FROM accounts WHERE id = from_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no account %', from_id;
    END IF;
    PERFORM 1 FROM accounts WHERE id = to_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no account %', to_id;
    END IF;
    IF from_balance < amount THEN
        RETURN false;
    END IF;
    UPDATE accounts SET balance = balance - amount WHERE id = from_id;
    UPDATE accounts SET balance = balance + amount WHERE id = to_id;
    RETURN true;
END;
$$;
