-- 1. A read-only group; the analyst logs in and gets its rights through membership.
GRANT USAGE ON SCHEMA shop TO lab_reporting;
GRANT SELECT ON shop.orders TO lab_reporting;
GRANT SELECT (id, name, city) ON shop.customers TO lab_reporting;
GRANT lab_reporting TO lab_analyst;

-- 2. The application: what it does, nothing more.
GRANT USAGE ON SCHEMA shop TO lab_app;
GRANT SELECT, INSERT, UPDATE ON shop.orders TO lab_app;
GRANT SELECT ON shop.customers TO lab_app;
GRANT INSERT ON shop.audit_log TO lab_app;
GRANT USAGE ON SEQUENCE shop.orders_id_seq, shop.audit_log_id_seq TO lab_app;

-- 3. Tables created later in shop are readable by the reporting group.
ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO lab_reporting;
