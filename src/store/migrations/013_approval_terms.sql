-- Measure 26 shortens the approvals of products for which GACC authorised Shanghai Customs to
-- decide finally (终审权限): a property of each approval, on unless recorded otherwise.
ALTER TABLE approvals ADD COLUMN final_authority INTEGER NOT NULL DEFAULT 1
    CHECK (final_authority IN (0, 1));
-- 行政许可法 第42条: one extension of ten days, approved by the office's head.
ALTER TABLE approvals ADD COLUMN extended_by TEXT;
ALTER TABLE approvals ADD COLUMN extended_at INTEGER;

-- 补正 (第32条) comes before acceptance: the clock starts when the complete material is
-- received. A 补正 recorded as a pause becomes that receipt: the acceptance moves to the end of
-- the last closed one (to the start of an open one: the clock then runs from there until the
-- receipt is recorded with `aeo approval correct`), and time before the new acceptance is no
-- longer a pause.
UPDATE approvals SET accepted_at = (
    SELECT max(coalesce(p.ended_at, p.started_at)) FROM approval_pauses p
    WHERE p.approval_id = approvals.id AND p.reason = 'correction')
WHERE EXISTS (SELECT 1 FROM approval_pauses p
              WHERE p.approval_id = approvals.id AND p.reason = 'correction'
                AND coalesce(p.ended_at, p.started_at) > approvals.accepted_at);
DELETE FROM approval_pauses WHERE reason = 'correction'
    OR ended_at <= (SELECT a.accepted_at FROM approvals a WHERE a.id = approval_pauses.approval_id);
UPDATE approval_pauses SET started_at = (
    SELECT a.accepted_at FROM approvals a WHERE a.id = approval_pauses.approval_id)
WHERE started_at < (SELECT a.accepted_at FROM approvals a WHERE a.id = approval_pauses.approval_id);

-- The reasons of 第45条: 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 (the earlier
-- 'testing', 检验检测, is kept as 检测).
CREATE TABLE approval_pauses_45 (
    id          INTEGER PRIMARY KEY,
    approval_id INTEGER NOT NULL REFERENCES approvals (id),
    reason      TEXT NOT NULL CHECK (reason IN ('hearing', 'tender', 'auction', 'inspection',
                    'testing', 'quarantine', 'appraisal', 'expert_review')),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at)
);
INSERT INTO approval_pauses_45 (id, approval_id, reason, started_at, ended_at)
    SELECT id, approval_id, reason, started_at, ended_at FROM approval_pauses;
DROP TABLE approval_pauses;
ALTER TABLE approval_pauses_45 RENAME TO approval_pauses;
CREATE INDEX approval_pauses_approval ON approval_pauses (approval_id);

-- The cached deadlines are computed again on open.
DELETE FROM deadline_cache;
