-- Schema 4: each undecided approval keeps its due instant and the instant it turns "nearly due"
-- (25% of its counted time left), computed by the domain rules whenever the approval changes,
-- so the approvals pane can fetch the window on screen in deadline order.
ALTER TABLE approvals ADD COLUMN due_at INTEGER;
ALTER TABLE approvals ADD COLUMN warn_at INTEGER;
CREATE INDEX approvals_by_due ON approvals (coalesce(due_at, 9223372036854775807), id)
    WHERE decided_at IS NULL;

-- The rules and calendar the cached instants were computed with; when a new binary brings other
-- holiday data or limits, every undecided approval is recomputed.
CREATE TABLE deadline_cache (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    signature TEXT NOT NULL
);
