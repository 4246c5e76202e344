-- Schema 1: the records of the AEO console.
-- Instants are INTEGER seconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD' in Asia/Shanghai.

CREATE TABLE coordinators (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    pinyin      TEXT NOT NULL,
    initials    TEXT NOT NULL,
    phone       TEXT NOT NULL,
    office_code TEXT NOT NULL CHECK (length(office_code) = 4),
    office_name TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('business', 'port', 'local')),
    duty_hours  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE enterprises (
    id             INTEGER PRIMARY KEY,
    uscc           TEXT NOT NULL UNIQUE,
    uscc_status    TEXT NOT NULL DEFAULT 'valid'
                   CHECK (uscc_status IN ('valid', 'bad_check_char', 'bad_org_code_check')),
    customs_code   TEXT NOT NULL UNIQUE CHECK (length(customs_code) = 10),
    name_zh        TEXT NOT NULL,
    name_en        TEXT,
    pinyin         TEXT NOT NULL,
    initials       TEXT NOT NULL,
    credit         TEXT NOT NULL
                   CHECK (credit IN ('advanced', 'certified', 'regular', 'dishonest', 'seriously_dishonest')),
    industries     TEXT NOT NULL DEFAULT '',
    group_name     TEXT,
    coordinator_id INTEGER REFERENCES coordinators (id)
);
CREATE INDEX enterprises_initials ON enterprises (initials);
CREATE INDEX enterprises_pinyin ON enterprises (pinyin);
CREATE INDEX enterprises_coordinator ON enterprises (coordinator_id);

CREATE TABLE work_items (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises (id),
    declaration_no  TEXT CHECK (declaration_no IS NULL OR length(declaration_no) = 18),
    received_at     INTEGER NOT NULL,
    due_at          INTEGER,
    status          TEXT NOT NULL DEFAULT 'waiting'
                    CHECK (status IN ('waiting', 'in_progress', 'done', 'abnormal')),
    urgent          INTEGER NOT NULL DEFAULT 0,
    non_intrusive   INTEGER NOT NULL DEFAULT 0,
    report_accepted INTEGER NOT NULL DEFAULT 0,
    -- 1 when the enterprise is AEO; kept in step with enterprises.credit by the triggers below,
    -- so that the queue order can be served by one index.
    aeo             INTEGER NOT NULL DEFAULT 0,
    taken_by        TEXT,
    updated_at      INTEGER
);
-- Serves the queue order: AEO first, earlier deadline (none last), earlier arrival, id.
CREATE INDEX work_items_queue ON work_items
    (aeo DESC, coalesce(due_at, 9223372036854775807), received_at, id)
    WHERE status <> 'done';
CREATE INDEX work_items_enterprise ON work_items (enterprise_id, status);

CREATE TRIGGER work_items_aeo_on_insert AFTER INSERT ON work_items
BEGIN
    UPDATE work_items
       SET aeo = (SELECT credit IN ('advanced', 'certified') FROM enterprises WHERE id = NEW.enterprise_id)
     WHERE id = NEW.id;
END;

CREATE TRIGGER work_items_aeo_on_credit AFTER UPDATE OF credit ON enterprises
BEGIN
    UPDATE work_items SET aeo = (NEW.credit IN ('advanced', 'certified')) WHERE enterprise_id = NEW.id;
END;

CREATE TABLE inspection_slots (
    id          INTEGER PRIMARY KEY,
    office_code TEXT NOT NULL CHECK (length(office_code) = 4),
    date        TEXT NOT NULL,
    start_time  TEXT NOT NULL,
    end_time    TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity > 0),
    UNIQUE (date, office_code, start_time)
);

CREATE TABLE bookings (
    id            INTEGER PRIMARY KEY,
    slot_id       INTEGER NOT NULL REFERENCES inspection_slots (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    goods         TEXT NOT NULL,
    location      TEXT NOT NULL CHECK (location IN ('in_zone', 'out_of_zone', 'factory')),
    status        TEXT NOT NULL DEFAULT 'booked'
                  CHECK (status IN ('booked', 'done', 'abnormal', 'cancelled')),
    booked_at     INTEGER NOT NULL,
    booked_by     TEXT NOT NULL,
    updated_at    INTEGER
);
CREATE INDEX bookings_slot ON bookings (slot_id, status);
CREATE INDEX bookings_enterprise ON bookings (enterprise_id);

-- The last line of defence for capacity: whatever the caller checked, a slot never holds more.
CREATE TRIGGER bookings_capacity BEFORE INSERT ON bookings
WHEN NEW.status <> 'cancelled'
 AND (SELECT count(*) FROM bookings WHERE slot_id = NEW.slot_id AND status <> 'cancelled')
     >= (SELECT capacity FROM inspection_slots WHERE id = NEW.slot_id)
BEGIN
    SELECT RAISE(ABORT, 'slot full');
END;

CREATE TABLE approvals (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('special_articles', 'animal_plant', 'advance_ruling')),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    reference     TEXT NOT NULL,
    accepted_at   INTEGER NOT NULL,
    decided_at    INTEGER,
    decision      TEXT
);
CREATE INDEX approvals_open ON approvals (decided_at, accepted_at);
CREATE INDEX approvals_enterprise ON approvals (enterprise_id);

CREATE TABLE approval_pauses (
    id          INTEGER PRIMARY KEY,
    approval_id INTEGER NOT NULL REFERENCES approvals (id),
    reason      TEXT NOT NULL CHECK (reason IN ('correction', 'testing', 'expert_review', 'hearing')),
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX approval_pauses_approval ON approval_pauses (approval_id);

CREATE TABLE problems (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    title         TEXT NOT NULL,
    district      TEXT NOT NULL,
    opened_at     INTEGER NOT NULL,
    cleared_at    INTEGER
);
CREATE INDEX problems_enterprise ON problems (enterprise_id, cleared_at);

CREATE TABLE verifications (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    kind          TEXT NOT NULL CHECK (kind IN ('management', 'other')),
    scheduled_on  TEXT NOT NULL,
    flagged       TEXT
);
CREATE INDEX verifications_enterprise ON verifications (enterprise_id, scheduled_on);
