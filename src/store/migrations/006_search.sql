-- Schema 5: what lookup matches. Each name's units (every reading of each character, the word's
-- natural reading first), aliases, and the initials keys at every word start that candidate
-- searches walk; indexes for the identifiers callers read out.

-- Encoded units of name_zh (domain::search::encode); NULL until computed when the database is
-- opened for writing.
ALTER TABLE enterprises ADD COLUMN search_units TEXT;
-- One line per alias (and the English name): the alias, a tab, its encoded units.
ALTER TABLE enterprises ADD COLUMN alias_units TEXT NOT NULL DEFAULT '';

CREATE TABLE enterprise_aliases (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    alias         TEXT NOT NULL CHECK (length(trim(alias)) > 0),
    UNIQUE (enterprise_id, alias)
);
CREATE INDEX enterprise_aliases_alias ON enterprise_aliases (alias COLLATE NOCASE);

-- Initials of the units from each word start (at_start = 1 where the name or alias begins).
CREATE TABLE search_keys (
    at_start      INTEGER NOT NULL,
    key           TEXT NOT NULL,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (at_start, key, enterprise_id)
) WITHOUT ROWID;
CREATE INDEX search_keys_enterprise ON search_keys (enterprise_id);

CREATE INDEX enterprises_name_en ON enterprises (name_en COLLATE NOCASE);
CREATE INDEX work_items_declaration ON work_items (declaration_no) WHERE declaration_no IS NOT NULL;
CREATE INDEX approvals_reference ON approvals (reference);
CREATE INDEX coordinators_phone ON coordinators (phone);
CREATE INDEX coordinators_name ON coordinators (name);

-- The single-reading keys are replaced by search_keys.
DROP INDEX enterprises_initials;
DROP INDEX enterprises_pinyin;
DROP INDEX enterprises_keys;
