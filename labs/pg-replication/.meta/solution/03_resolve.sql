-- Task 3, on the subscriber: the rows written by hand on the replica block the publisher's rows
-- with the same key. The publisher is the source of truth: remove the replica's own rows; the
-- apply worker retries and the publisher's rows arrive.
DELETE FROM orders WHERE status = 'manual';
