-- Schema 2: the audit trail. Every change records who, when, what, and the row before and after
-- (as JSON). The database itself refuses to change or remove an entry.

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    operator      TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     INTEGER NOT NULL,
    enterprise_id INTEGER,
    before        TEXT,
    after         TEXT
);
CREATE INDEX audit_log_enterprise ON audit_log (enterprise_id, at);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: entries cannot be removed');
END;
