-- Schema 15: work items counted by status, kept by triggers, so the console's tabs and the
-- queue's length are read from a few rows instead of counting up to a million open items on
-- every data change.
CREATE TABLE work_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO work_counts (status, n) SELECT status, count(*) FROM work_items GROUP BY status;
CREATE TRIGGER work_counts_insert AFTER INSERT ON work_items BEGIN
    INSERT OR IGNORE INTO work_counts (status, n) VALUES (NEW.status, 0);
    UPDATE work_counts SET n = n + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER work_counts_delete AFTER DELETE ON work_items BEGIN
    UPDATE work_counts SET n = n - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER work_counts_update AFTER UPDATE OF status ON work_items
WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE work_counts SET n = n - 1 WHERE status = OLD.status;
    INSERT OR IGNORE INTO work_counts (status, n) VALUES (NEW.status, 0);
    UPDATE work_counts SET n = n + 1 WHERE status = NEW.status;
END;
