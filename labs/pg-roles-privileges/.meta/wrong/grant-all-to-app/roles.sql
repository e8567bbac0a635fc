-- 1. A read-only group; the analyst logs in and gets its rights through membership.
GRANT USAGE ON SCHEMA shop TO lab_reporting;
GRANT SELECT ON shop.orders TO lab_reporting;
GRANT SELECT (id, name, city) ON shop.customers TO lab_reporting;
GRANT lab_reporting TO lab_analyst;

-- 2. (wrong) The application gets everything: it can delete, truncate and create tables.
GRANT ALL ON SCHEMA shop TO lab_app;
GRANT ALL ON ALL TABLES IN SCHEMA shop TO lab_app;
GRANT ALL ON ALL SEQUENCES IN SCHEMA shop TO lab_app;

-- 3. Tables created later in shop are readable by the reporting group.
ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO lab_reporting;
