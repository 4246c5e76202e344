-- Schema 7: approvals are ordered by due instant, then reference (the domain's one order), so
-- the index that serves the approvals pane follows it.
DROP INDEX IF EXISTS approvals_by_due;
CREATE INDEX approvals_by_due ON approvals (coalesce(due_at, 9223372036854775807), reference, id)
    WHERE decided_at IS NULL;
