-- Suggestions tracked from the moment they are raised to their answer. Numbers about them are
-- always counted from these rows, never stored.
CREATE TABLE suggestion_categories (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name_ko     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    sort_order  INTEGER NOT NULL,
    CONSTRAINT suggestion_categories_code_key UNIQUE (code)
);
INSERT INTO suggestion_categories (id, code, name_ko, name_en, sort_order) VALUES
    (1, 'work_environment', '근무 환경', 'Work environment', 1),
    (2, 'facilities', '시설', 'Facilities', 2),
    (3, 'welfare', '복지', 'Welfare', 3),
    (4, 'process', '업무 절차', 'Process', 4),
    (5, 'other', '기타', 'Other', 5);

CREATE TABLE suggestions (
    id                        INTEGER PRIMARY KEY,
    organization_id           INTEGER REFERENCES organizations (id),
    title                     TEXT NOT NULL,
    body                      TEXT NOT NULL,
    category_id               INTEGER NOT NULL REFERENCES suggestion_categories (id),
    concerned_department_id   INTEGER REFERENCES departments (id),
    assigned_department_id    INTEGER REFERENCES departments (id),
    -- A named suggestion's author. An anonymous one has none: only the room it came from and
    -- the pseudonym it was said under.
    raised_by_account_id      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    room_id                   INTEGER REFERENCES rooms (id) ON DELETE SET NULL,
    pseudonym                 TEXT,
    status                    TEXT NOT NULL CHECK (status IN ('received', 'reviewing', 'accepted', 'done', 'declined')),
    created_at                INTEGER NOT NULL,
    updated_at                INTEGER NOT NULL,
    -- When it was last done or declined: what "days to process" counts to.
    closed_at                 INTEGER
);
CREATE INDEX suggestions_organization_idx ON suggestions (organization_id, id);
CREATE INDEX suggestions_status_idx ON suggestions (status, id);

-- Every change of status, with who made it as a department and a role.
CREATE TABLE suggestion_events (
    id                   INTEGER PRIMARY KEY,
    suggestion_id        INTEGER NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    from_status          TEXT,
    to_status            TEXT NOT NULL,
    actor_department_id  INTEGER REFERENCES departments (id),
    actor_role           TEXT NOT NULL,
    answer               TEXT NOT NULL DEFAULT '',
    created_at           INTEGER NOT NULL
);
CREATE INDEX suggestion_events_suggestion_idx ON suggestion_events (suggestion_id, id);

-- "Me too": one per account and suggestion.
CREATE TABLE suggestion_supports (
    suggestion_id  INTEGER NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (suggestion_id, account_id)
);

-- A notification may be about a suggestion (its raiser hears of each step).
ALTER TABLE notifications ADD COLUMN suggestion_id INTEGER REFERENCES suggestions (id) ON DELETE CASCADE;
