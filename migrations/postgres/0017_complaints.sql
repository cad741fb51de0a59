-- Civil complaints (민원) with their legal periods. Numbers about them are counted from these
-- rows, never stored.

-- The kinds of complaint an organisation receives (민원 유형), each answered by a department.
-- A statutory one (법정민원) carries its own period in days; the others take their kind's
-- period from complaint_rules.
CREATE TABLE complaint_services (
    id             BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    code           TEXT NOT NULL,
    name_ko        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('statutory', 'question_law', 'question_procedure', 'proposal', 'grievance', 'other')),
    department_id  BIGINT REFERENCES departments (id),
    period_days    BIGINT,
    description    TEXT NOT NULL DEFAULT '',
    active         BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    CONSTRAINT complaint_services_code_key UNIQUE (organization_id, code)
);

-- An organisation's changes to the law's periods (domain::complaint::Rule); a rule without a
-- row has the law's value.
CREATE TABLE complaint_rules (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    rule            TEXT NOT NULL,
    value           BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, rule)
);

CREATE TABLE complaints (
    id               BIGINT PRIMARY KEY,
    organization_id  BIGINT NOT NULL REFERENCES organizations (id),
    service_id       BIGINT NOT NULL REFERENCES complaint_services (id),
    department_id    BIGINT REFERENCES departments (id),
    -- Never anonymous: an unidentified request is not a civil complaint.
    petitioner_id    BIGINT NOT NULL REFERENCES accounts (id),
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    contact          TEXT,
    -- WGS 84 in millionths of a degree (integers: the same on both databases).
    latitude_e6      BIGINT,
    longitude_e6     BIGINT,
    address          TEXT,
    -- A wall post turned into this complaint.
    source_status_id BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
    status           TEXT NOT NULL CHECK (status IN ('received', 'in_progress', 'answered', 'refused', 'appealed')),
    received_at      BIGINT NOT NULL,
    due_at           BIGINT NOT NULL,
    extended         BIGINT NOT NULL DEFAULT 0,
    closed_at        BIGINT,
    -- When the next reminder, interim notice and escalation fall due (the background round
    -- claims each by clearing it).
    remind_at        BIGINT,
    interim_at       BIGINT,
    escalate_at      BIGINT,
    updated_at       BIGINT NOT NULL
);
-- A department's inbox: open ones first, by due time (the order `db::complaints::list` asks
-- for, written the same way, so that a page reads 20 entries instead of sorting them all).
CREATE INDEX complaints_inbox_idx ON complaints (department_id, (CASE WHEN status IN ('answered', 'refused') THEN 1 ELSE 0 END), due_at, id);
CREATE INDEX complaints_organization_idx ON complaints (organization_id, received_at);
CREATE INDEX complaints_petitioner_idx ON complaints (petitioner_id, id);
CREATE INDEX complaints_remind_idx ON complaints (remind_at) WHERE remind_at IS NOT NULL;
CREATE INDEX complaints_interim_idx ON complaints (interim_at) WHERE interim_at IS NOT NULL;
CREATE INDEX complaints_escalate_idx ON complaints (escalate_at) WHERE escalate_at IS NOT NULL;

-- Every step: the department and role that took it (a person's name is not public), when, and
-- what the petitioner is told.
CREATE TABLE complaint_steps (
    id             BIGINT PRIMARY KEY,
    complaint_id   BIGINT NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    step           TEXT NOT NULL CHECK (step IN ('received', 'started', 'answered', 'refused', 'transferred', 'extended', 'interim', 'arrived', 'appealed')),
    department_id  BIGINT REFERENCES departments (id),
    actor_role     TEXT NOT NULL,
    public_text    TEXT NOT NULL DEFAULT '',
    appeal_route   TEXT NOT NULL DEFAULT '',
    due_at         BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX complaint_steps_complaint_idx ON complaint_steps (complaint_id, id);

-- An administrator's changes to the public-holiday calendar: a temporary holiday added, or a
-- day removed. Each change is also in the audit log.
CREATE TABLE holiday_adjustments (
    day         TEXT PRIMARY KEY,
    change      TEXT NOT NULL CHECK (change IN ('added', 'removed')),
    name        TEXT NOT NULL DEFAULT '',
    account_id  BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);

-- A notification may be about a complaint (its petitioner hears of each step; its department
-- of a deadline).
ALTER TABLE notifications ADD COLUMN complaint_id BIGINT REFERENCES complaints (id) ON DELETE CASCADE;

-- A complaint's photos are uploads attached to it (never also to a status): only those who may
-- read the complaint see them.
ALTER TABLE media_attachments ADD COLUMN complaint_id BIGINT REFERENCES complaints (id) ON DELETE CASCADE;
CREATE INDEX media_attachments_complaint_idx ON media_attachments (complaint_id);
