-- Schema 10: search keys say whether they start the text and whether they are the natural
-- reading, so that candidate walks take natural keys first (a broad prefix such as `s` would
-- otherwise fill its window with other readings). The keys are rebuilt on the next read-write
-- open.
DROP TABLE search_keys;
CREATE TABLE search_keys (
    -- 0: starts the name or an alias, natural reading; 1: starts it, another reading;
    -- 2: at a word inside, natural; 3: at a word inside, another reading; 4 and 5: the natural
    -- full pinyin from the start and from a word inside.
    kind          INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 5),
    key           TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (kind, key, enterprise_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_enterprise ON search_keys (enterprise_id);
UPDATE enterprises SET search_units = NULL;
