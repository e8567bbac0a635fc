-- 1. Row-level security on, for the owner too.
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
-- (wrong) no FORCE: the owner, i.e. the application, bypasses every policy

-- 1 and 2. A tenant sees and writes only its own rows; no tenant set: nothing.
CREATE POLICY tenant_isolation ON invoices
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::integer)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::integer);

-- 3. Archived invoices are frozen for everyone, whatever other policies allow.
CREATE POLICY archived_frozen_update ON invoices AS RESTRICTIVE FOR UPDATE
    USING (status <> 'archived')
    WITH CHECK (true);
CREATE POLICY archived_frozen_delete ON invoices AS RESTRICTIVE FOR DELETE
    USING (status <> 'archived');
