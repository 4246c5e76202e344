-- Schema 8: the queue order puts abnormal work first, then AEO work, then 加急 (urgent), then
-- the earlier deadline and arrival; the index that serves the queue window follows it.
DROP INDEX IF EXISTS work_items_queue;
CREATE INDEX work_items_queue ON work_items
    ((status = 'abnormal') DESC, aeo DESC, urgent DESC, coalesce(due_at, 9223372036854775807),
     received_at, id)
    WHERE status <> 'done';
