-- Atomic conditional debit, then the credit: correct alone, but locks the sender first, whatever its id.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF amount IS NULL OR amount <= 0 OR from_id = to_id THEN
        RAISE EXCEPTION 'invalid transfer';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = to_id) THEN
        RAISE EXCEPTION 'no account %', to_id;
    END IF;
    UPDATE accounts SET balance = balance - amount WHERE id = from_id AND balance >= amount;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = from_id) THEN
            RAISE EXCEPTION 'no account %', from_id;
        END IF;
        RETURN false;
    END IF;
    UPDATE accounts SET balance = balance + amount WHERE id = to_id;
    RETURN true;
END;
$$;
