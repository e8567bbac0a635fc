-- 1. Row-level security on, for the owner too.
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoices FORCE ROW LEVEL SECURITY;

-- 1 and 2. A tenant sees and writes only its own rows; no tenant set: nothing.
CREATE POLICY tenant_isolation ON invoices
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::integer)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::integer);

-- 3. (wrong) permissive policies are OR-ed with the tenant policy: they freeze nothing
CREATE POLICY archived_frozen_update ON invoices FOR UPDATE
    USING (status <> 'archived')
    WITH CHECK (true);
CREATE POLICY archived_frozen_delete ON invoices FOR DELETE
    USING (status <> 'archived');
