-- Schema 14: search keys also hold the text from each Chinese character of a name or alias
-- (kinds 6 and 7), so Chinese typed from inside a name is found by an index walk instead of a
-- scan of every name, and the initials with the first word cut to its first character (kind 8),
-- so a first word typed by the start of its pinyin (shangcn) is an index walk instead of a scan
-- of every key. The keys are rebuilt on the next read-write open.
DROP TABLE search_keys;
CREATE TABLE search_keys (
    -- 0: starts the name or an alias, natural reading; 1: starts it, another reading;
    -- 2: at a word inside, natural; 3: at a word inside, another reading; 4 and 5: the natural
    -- full pinyin from the start and from a word inside; 6 and 7: the characters from the
    -- first character (when Chinese) and from each Chinese character inside; 8: the first
    -- word's first initial, then the natural initials after the first word.
    kind          INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 8),
    key           TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (kind, key, enterprise_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_enterprise ON search_keys (enterprise_id);
UPDATE enterprises SET search_units = NULL;
