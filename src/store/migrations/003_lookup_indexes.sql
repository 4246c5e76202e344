-- Schema 3: indexes that let lookup answer every keystroke from an index walk.
CREATE INDEX enterprises_name ON enterprises (name_zh);
-- Scans for a match inside the keys read this index instead of whole rows.
CREATE INDEX enterprises_keys ON enterprises (initials, pinyin);
