-- Schema 5: the hotline's work loop. Calls (来电/咨询记录), problems followed to 清零 (measure
-- 29), verification plans (measures 16, 17), several coordinators per enterprise by role with
-- duty hours (measure 28), and the designated hotline person of an AEO enterprise (measure 33).

-- An enterprise has several coordinators (business department, port, local) used together.
CREATE TABLE enterprise_coordinators (
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises (id),
    coordinator_id INTEGER NOT NULL REFERENCES coordinators (id),
    PRIMARY KEY (enterprise_id, coordinator_id)
) WITHOUT ROWID;
CREATE INDEX enterprise_coordinators_coordinator ON enterprise_coordinators (coordinator_id);
INSERT INTO enterprise_coordinators (enterprise_id, coordinator_id)
    SELECT id, coordinator_id FROM enterprises WHERE coordinator_id IS NOT NULL;

-- The hotline staff member (an operator name) who answers this AEO enterprise's calls (专人对接).
ALTER TABLE enterprises ADD COLUMN hotline_person TEXT;

CREATE TABLE calls (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    operator        TEXT NOT NULL,
    -- NULL: a caller who did not say, or is not (yet) a known enterprise.
    enterprise_id   INTEGER REFERENCES enterprises (id),
    caller_name     TEXT,
    caller_phone    TEXT,
    channel         TEXT NOT NULL
                    CHECK (channel IN ('hotline', 'wechat', 'group', 'visit', 'email', 'outgoing')),
    -- Measure numbers separated by ','.
    measures        TEXT NOT NULL DEFAULT '',
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL DEFAULT '',
    outcome         TEXT NOT NULL
                    CHECK (outcome IN ('answered', 'problem', 'forwarded', 'callback')),
    callback_by     INTEGER,
    callback_done_at INTEGER,
    forwarded_to    INTEGER REFERENCES coordinators (id),
    -- The enterprise's designated hotline person when the call came in (measure 33).
    marked_for      TEXT,
    CHECK ((outcome = 'callback') = (callback_by IS NOT NULL))
);
CREATE INDEX calls_enterprise ON calls (enterprise_id, at);
CREATE INDEX calls_at ON calls (at);
CREATE INDEX calls_callbacks_open ON calls (callback_by) WHERE callback_by IS NOT NULL AND callback_done_at IS NULL;

-- Problems: `district` stays the Shanghai office concerned; `districts` names the other customs
-- districts (直属海关) of a cross-district problem; then the lifecycle.
ALTER TABLE problems ADD COLUMN districts TEXT NOT NULL DEFAULT '';
ALTER TABLE problems ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'assigned', 'resolved', 'closed'));
ALTER TABLE problems ADD COLUMN coordinator_id INTEGER REFERENCES coordinators (id);
ALTER TABLE problems ADD COLUMN call_id INTEGER REFERENCES calls (id);
ALTER TABLE problems ADD COLUMN first_reply_at INTEGER;
ALTER TABLE problems ADD COLUMN resolution TEXT;
ALTER TABLE problems ADD COLUMN resolved_by TEXT;
ALTER TABLE problems ADD COLUMN closed_at INTEGER;
ALTER TABLE problems ADD COLUMN updated_at INTEGER;
UPDATE problems SET status = 'closed', closed_at = cleared_at, first_reply_at = cleared_at
    WHERE cleared_at IS NOT NULL;
CREATE INDEX problems_open ON problems (status, opened_at) WHERE status IN ('open', 'assigned');
CREATE INDEX problems_coordinator ON problems (coordinator_id, status);

CREATE TABLE problem_notes (
    id         INTEGER PRIMARY KEY,
    problem_id INTEGER NOT NULL REFERENCES problems (id),
    at         INTEGER NOT NULL,
    operator   TEXT NOT NULL,
    text       TEXT NOT NULL
);
CREATE INDEX problem_notes_problem ON problem_notes (problem_id, at);

-- Verification plans: the instruction, the team, self-check recognition (自查结果认可, measure
-- 16), the reason a second management-type verification in a year was scheduled anyway (17),
-- and the plan another was merged into (16: one team).
ALTER TABLE verifications ADD COLUMN instruction TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE verifications ADD COLUMN self_check INTEGER NOT NULL DEFAULT 0;
ALTER TABLE verifications ADD COLUMN override_reason TEXT;
ALTER TABLE verifications ADD COLUMN merged_into INTEGER REFERENCES verifications (id);
ALTER TABLE verifications ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
