-- Schema 22: the queue index carries what the typed filter tests of an item (its enterprise,
-- declaration number, kind and operator, beside its status), so that a filter matching many
-- items walks the queue's order in the index alone (see migrations/022).
DROP INDEX work_items_queue;
CREATE INDEX work_items_queue ON work_items
    ((status = 'abnormal') DESC, aeo DESC, urgent DESC, due_at, received_at, id)
    INCLUDE (status, enterprise_id, declaration_no, kind, taken_by)
    WHERE status <> 'done';
