-- Schema 3: indexes that let lookup answer every keystroke from an index walk.
CREATE INDEX enterprises_name ON enterprises (name_zh);
