-- Schema 20 (SQLite's 020 changes nothing): open approvals' and open problems' times in
-- indexes narrow enough that PostgreSQL reads them alone. The approvals summary (the pane tabs,
-- the approvals pane, Today) read every open approval's row (299 pages of the large database)
-- where SQLite reads approvals_open_due: here that index also carries each reference, and the
-- planner preferred the table. Of the open problems, those answered or resolved are judged one
-- by one; their times and ids now come from an index of those alone (40 pages, not the 304 of
-- the table).
CREATE INDEX approvals_open_clock ON approvals (due_at, warn_at) WHERE decided_at IS NULL;
CREATE INDEX problems_open_judged ON problems (opened_at) INCLUDE (id, first_reply_at, cleared_at)
    WHERE status IN ('open', 'assigned') AND (cleared_at IS NOT NULL OR first_reply_at IS NOT NULL);
-- The queue's typed filter gathers the ids of open items by enterprise and by the start of a
-- declaration number: each index now carries the id, so the server reads the index alone (for a
-- 200-enterprise filter 606 pages where it read 2,546, most of them rows of the table).
DROP INDEX work_items_enterprise;
CREATE INDEX work_items_enterprise ON work_items (enterprise_id, status) INCLUDE (id);
DROP INDEX work_items_open_declaration;
CREATE INDEX work_items_open_declaration ON work_items (declaration_no) INCLUDE (id)
    WHERE status <> 'done';
