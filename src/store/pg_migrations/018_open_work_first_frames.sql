-- Schema 18 (as SQLite's 018): open approvals in the order shown with their warning times, and
-- open problems with the times that decide lateness, each from an index of the open ones only.
CREATE INDEX approvals_open_due ON approvals (due_at, reference, id, warn_at)
    WHERE decided_at IS NULL;
CREATE INDEX problems_open_clock ON problems (opened_at, first_reply_at, cleared_at)
    WHERE status IN ('open', 'assigned');
-- The queue's typed filter reads the open items' declaration numbers from an index of their own.
CREATE INDEX work_items_open_declaration ON work_items (declaration_no) WHERE status <> 'done';
