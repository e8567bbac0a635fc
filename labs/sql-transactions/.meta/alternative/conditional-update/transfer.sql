-- Lock both rows with one ordered SELECT … FOR NO KEY UPDATE, then debit only if the balance covers it.
CREATE OR REPLACE FUNCTION transfer(from_id integer, to_id integer, amount numeric)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    locked integer;
BEGIN
    IF NOT (amount > 0) OR amount IS NULL THEN
        RAISE EXCEPTION 'invalid amount %', amount;
    END IF;
    IF from_id = to_id THEN
        RAISE EXCEPTION 'same account';
    END IF;
    PERFORM id FROM accounts WHERE id IN (from_id, to_id) ORDER BY id FOR NO KEY UPDATE;
    GET DIAGNOSTICS locked = ROW_COUNT;
    IF locked <> 2 THEN
        RAISE EXCEPTION 'unknown account in transfer(%, %)', from_id, to_id;
    END IF;
    UPDATE accounts SET balance = balance - amount WHERE id = from_id AND balance >= amount;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE accounts SET balance = balance + amount WHERE id = to_id;
    RETURN true;
END;
$$;
