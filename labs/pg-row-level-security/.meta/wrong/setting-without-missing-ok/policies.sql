-- 1. Row-level security on, for the owner too.
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;

-- 1 and 2. (wrong) current_setting without missing_ok: a session without tenant gets an error
CREATE POLICY tenant_isolation ON invoices
    USING (tenant_id = current_setting('app.tenant_id')::integer)
    WITH CHECK (tenant_id = current_setting('app.tenant_id')::integer);

-- 3. Archived invoices are frozen for everyone, whatever other policies allow.
CREATE POLICY archived_frozen_update ON invoices AS RESTRICTIVE FOR UPDATE
    USING (status <> 'archived')
    WITH CHECK (true);
CREATE POLICY archived_frozen_delete ON invoices AS RESTRICTIVE FOR DELETE
    USING (status <> 'archived');
