-- Schema 18: the console's first frames read open approvals and open problems from indexes
-- that hold only the open ones, in the order shown, with the times that decide lateness.
-- The approvals pane's first window sorted every open approval (44 ms on 15,000), and Today and
-- the pane tabs aged every open problem (47 ms on 12,000).
CREATE INDEX approvals_open_due
    ON approvals (coalesce(due_at, 9223372036854775807), reference, id, warn_at)
    WHERE decided_at IS NULL;
CREATE INDEX problems_open_clock
    ON problems (opened_at, first_reply_at, cleared_at)
    WHERE status IN ('open', 'assigned');
-- The queue's typed filter reads each part of what it matches from an index of open items: the
-- declaration numbers starting so (the index of all numbers had to read each row for its status).
CREATE INDEX work_items_open_declaration ON work_items (declaration_no) WHERE status <> 'done';
