-- Schema 21 (SQLite's 021 changes nothing): the queue index carries each item's status, so that
-- the server walks the queue's order in the index alone. Its key holds `status = 'abnormal'`,
-- an expression, and PostgreSQL reads a column from an index only where the index holds the
-- column itself: every entry walked was a read of the item's row (the first 1,000 of the queue
-- in order, as the cursor following a record reads them: 52 ms and 974 pages of the table when
-- they were not in the server's buffers, 0.3 ms and 12 pages of the index now).
DROP INDEX work_items_queue;
CREATE INDEX work_items_queue ON work_items
    ((status = 'abnormal') DESC, aeo DESC, urgent DESC, due_at, received_at, id) INCLUDE (status)
    WHERE status <> 'done';
