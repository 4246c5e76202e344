-- Schema 24: the open items by kind. A typed filter whose text starts a kind's code (`d` starts
-- `declaration`, and 11 of the 26 letters start one) counts the items it reaches to choose how
-- to read them; the kind's items were counted along the queue's index, whose entries carry
-- the whole order: up to 30,000 of them walked ~390,000 entries (7,600 page reads, 60-120 ms
-- on a connection that had not read them yet). This index holds an open item's kind and id
-- alone.
CREATE INDEX work_items_open_kind ON work_items (kind) WHERE status <> 'done';
