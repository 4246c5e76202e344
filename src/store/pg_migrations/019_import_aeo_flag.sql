-- Schema 19 (as SQLite's 019, which stops its insert trigger from rewriting a queue item whose
-- AEO flag is already right): here the flag is set by a BEFORE INSERT trigger, which writes
-- nothing a second time, so nothing changes.
SELECT 1;
