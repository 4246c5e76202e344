-- Schema 24: the open items by kind, with their ids, so that the items a typed filter reaches
-- through a kind's code are counted from this index alone (see migrations/024).
CREATE INDEX work_items_open_kind ON work_items (kind) INCLUDE (id) WHERE status <> 'done';
