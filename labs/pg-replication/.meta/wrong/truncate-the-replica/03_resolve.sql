-- Unblocks replication, but every row copied before is gone and never comes back.
TRUNCATE orders;
