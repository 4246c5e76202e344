-- Schema 9: who really acted, and which databases are demos.
-- Every audit entry names the OS account the process ran as (from its uid), beside the operator
-- name the person gave (several people may share one account at a seat). Older entries have none.
ALTER TABLE audit_log ADD COLUMN os_account TEXT;

-- Facts about the database itself. `demo` is set by `aeo demo` on the empty database it fills:
-- only such a database accepts changes under a frozen clock (--now / AEO_NOW).
CREATE TABLE aeo_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
