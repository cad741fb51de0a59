-- Programs of communication days and training classes, and their sessions.

-- Where an organisation keeps its clocks (IANA name); programs follow it.
ALTER TABLE organizations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Seoul';

CREATE TABLE programs (
    id                INTEGER PRIMARY KEY,
    organization_id   INTEGER NOT NULL REFERENCES organizations (id),
    kind              TEXT NOT NULL CHECK (kind IN ('communication_day', 'training')),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    host_account_id   INTEGER NOT NULL REFERENCES accounts (id),
    -- 1 = Monday … 7 = Sunday; minutes after midnight in Seoul.
    weekday           INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute      INTEGER NOT NULL,
    duration_minutes  INTEGER NOT NULL,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT,
    session_count     INTEGER,
    participants      TEXT NOT NULL CHECK (participants IN ('rotation', 'cohort', 'everyone')),
    cohort_months     INTEGER,
    time_zone         TEXT NOT NULL DEFAULT 'Asia/Seoul',
    created_at        INTEGER NOT NULL
);
CREATE INDEX programs_organization_idx ON programs (organization_id, id);

CREATE TABLE program_rotation (
    program_id     INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    PRIMARY KEY (program_id, position)
);

CREATE TABLE program_sessions (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    starts_at      INTEGER NOT NULL,
    ends_at        INTEGER NOT NULL,
    department_id  INTEGER REFERENCES departments (id),
    status         TEXT NOT NULL CHECK (status IN ('planned', 'open', 'held', 'cancelled')),
    room_id        INTEGER REFERENCES rooms (id) ON DELETE SET NULL,
    reminded_day   INTEGER NOT NULL DEFAULT 0,
    reminded_hour  INTEGER NOT NULL DEFAULT 0,
    check_in_code  TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX program_sessions_program_idx ON program_sessions (program_id, starts_at);
CREATE INDEX program_sessions_due_idx ON program_sessions (status, starts_at);

CREATE TABLE session_attendance (
    session_id     INTEGER NOT NULL REFERENCES program_sessions (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    method         TEXT NOT NULL CHECK (method IN ('trainer', 'code')),
    checked_in_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, account_id)
);

ALTER TABLE notifications ADD COLUMN session_id INTEGER REFERENCES program_sessions (id) ON DELETE CASCADE;

-- The program a suggestion came from (through one of its sessions' rooms).
ALTER TABLE suggestions ADD COLUMN program_id INTEGER REFERENCES programs (id) ON DELETE SET NULL;
