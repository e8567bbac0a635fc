-- The session's tenant through a helper function, and one policy per command.
CREATE FUNCTION current_tenant() RETURNS integer
    LANGUAGE sql STABLE
    AS $$ SELECT CASE WHEN current_setting('app.tenant_id', true) ~ '^[0-9]+$'
                      THEN current_setting('app.tenant_id', true)::integer END $$;

ALTER TABLE invoices ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_reads ON invoices FOR SELECT USING (tenant_id = current_tenant());
CREATE POLICY tenant_inserts ON invoices FOR INSERT WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_updates ON invoices FOR UPDATE USING (tenant_id = current_tenant());
CREATE POLICY tenant_deletes ON invoices FOR DELETE USING (tenant_id = current_tenant());

CREATE POLICY not_archived ON invoices AS RESTRICTIVE FOR UPDATE
    USING (status IS DISTINCT FROM 'archived') WITH CHECK (tenant_id IS NOT NULL);
CREATE POLICY not_archived_delete ON invoices AS RESTRICTIVE FOR DELETE
    USING (status IS DISTINCT FROM 'archived');
