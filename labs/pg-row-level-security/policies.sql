-- pg-row-level-security: policies that keep each tenant inside its own rows of invoices.
-- This file runs once, as the owner of the table (the account the application uses).

