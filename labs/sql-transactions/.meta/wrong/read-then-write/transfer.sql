-- Reads both balances, decides, then writes back values computed from what it read.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    from_balance numeric;
    to_balance numeric;
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        RAISE EXCEPTION 'amount must be positive';
    END IF;
    IF from_id = to_id THEN
        RAISE EXCEPTION 'same account';
    END IF;
    SELECT balance INTO from_balance FROM accounts WHERE id = from_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no account %', from_id;
    END IF;
    SELECT balance INTO to_balance FROM accounts WHERE id = to_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no account %', to_id;
    END IF;
    IF from_balance < amount THEN
        RETURN false;
    END IF;
    UPDATE accounts SET balance = from_balance - amount WHERE id = from_id;
    UPDATE accounts SET balance = to_balance + amount WHERE id = to_id;
    RETURN true;
END;
$$;
