-- The same privileges written object by object, the group created first and filled later.
GRANT lab_reporting TO lab_analyst;

GRANT USAGE ON SCHEMA shop TO lab_reporting, lab_app;

GRANT SELECT ON TABLE shop.orders TO lab_reporting;
GRANT SELECT (id) ON shop.customers TO lab_reporting;
GRANT SELECT (name, city) ON shop.customers TO lab_reporting;

GRANT SELECT ON TABLE shop.orders TO lab_app;
GRANT INSERT ON TABLE shop.orders TO lab_app;
GRANT UPDATE ON TABLE shop.orders TO lab_app;
GRANT SELECT ON TABLE shop.customers TO lab_app;
GRANT INSERT ON TABLE shop.audit_log TO lab_app;
GRANT USAGE ON SEQUENCE shop.orders_id_seq TO lab_app;
GRANT USAGE ON SEQUENCE shop.audit_log_id_seq TO lab_app;

ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA shop GRANT SELECT ON TABLES TO lab_reporting;
