-- Roles for a customs district's PostgreSQL database (README, "PostgreSQL for a district").
-- Run once per database as its owner (the admin), after the first `aeo init`:
--     psql "postgres://aeo_admin@db.example:5432/aeo" -f postgres-roles.sql
-- then give each person a login in one of the three roles:
--     CREATE ROLE wang LOGIN PASSWORD '…' IN ROLE aeo_hotline;
--     ALTER ROLE wang SET default_transaction_read_only = on;   -- hotline logins
-- (a setting of a group role does not pass to its members; the privileges below do).
--
-- aeo_hotline      reads everything, changes nothing (the hotline's seats)
-- aeo_coordinator  reads and changes the records; may only add to the audit trail
-- aeo_admin        the coordinator's rights, plus schema changes (migrations, `aeo init`)
--
-- No role may change or remove an audit entry: the privileges below leave UPDATE, DELETE and
-- TRUNCATE out, and the schema's triggers refuse them even to the tables' owner.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aeo_hotline') THEN
        CREATE ROLE aeo_hotline NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aeo_coordinator') THEN
        CREATE ROLE aeo_coordinator NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aeo_admin') THEN
        CREATE ROLE aeo_admin NOLOGIN IN ROLE aeo_coordinator;
    END IF;
END $$;

GRANT USAGE ON SCHEMA public TO aeo_hotline, aeo_coordinator;
GRANT CREATE ON SCHEMA public TO aeo_admin;

GRANT SELECT ON ALL TABLES IN SCHEMA public TO aeo_hotline;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO aeo_coordinator;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, aeo_schema FROM aeo_coordinator;
REVOKE INSERT ON aeo_schema FROM aeo_coordinator;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO aeo_coordinator;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
