-- Schema 17 (as SQLite's 017): the enterprises whose search keys are still to be made, from an
-- index that holds only them, so a read-write open does not read every enterprise.
CREATE INDEX enterprises_unindexed ON enterprises (id) WHERE search_units IS NULL;
