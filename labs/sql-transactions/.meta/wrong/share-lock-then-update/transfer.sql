-- Wrong: reads the sender's balance under a shared lock (FOR SHARE), then updates it: two calls that
-- both hold the shared lock each wait for the other to release it before they may write (a deadlock).
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    from_balance numeric;
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        RAISE EXCEPTION 'amount must be positive, got %', amount;
    END IF;
    IF from_id IS NULL OR to_id IS NULL OR from_id = to_id THEN
        RAISE EXCEPTION 'a transfer needs two different accounts';
    END IF;
    SELECT balance INTO from_balance FROM accounts WHERE id = from_id FOR SHARE;
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
