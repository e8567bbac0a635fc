-- Relative updates in one statement, but the balance check reads without a lock before the debit.
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
    IF (SELECT count(*) FROM accounts WHERE id IN (from_id, to_id)) <> 2 THEN
        RAISE EXCEPTION 'unknown account';
    END IF;
    SELECT balance INTO from_balance FROM accounts WHERE id = from_id;
    IF from_balance < amount THEN
        RETURN false;
    END IF;
    UPDATE accounts
       SET balance = balance + CASE WHEN id = from_id THEN -amount ELSE amount END
     WHERE id IN (from_id, to_id);
    RETURN true;
END;
$$;
