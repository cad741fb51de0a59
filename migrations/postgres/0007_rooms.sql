-- Open chat rooms. In an anonymous room nothing here may connect an account to a ticket, a
-- participant or a message (docs/anonymity.md): issued tickets are recorded without a time,
-- participants have random ids and no times, and nothing points from one to the other.
CREATE TABLE rooms (
    id                      BIGINT PRIMARY KEY,
    organization_id         BIGINT REFERENCES organizations (id),
    host_account_id         BIGINT NOT NULL REFERENCES accounts (id),
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    anonymous               BIGINT NOT NULL CHECK (anonymous IN (0, 1)),
    audience                TEXT NOT NULL CHECK (audience IN ('link', 'organization', 'department', 'accounts', 'cohort')),
    audience_department_id  BIGINT REFERENCES departments (id),
    -- For a cohort: staff of the organisation whose accounts are at most this many months old.
    cohort_months           BIGINT,
    -- SHA-256 of the join code, when there is one.
    join_code_hash          TEXT,
    capacity                BIGINT NOT NULL,
    min_group_size          BIGINT NOT NULL,
    notice                  TEXT,
    -- The room's ticket key: SPKI and PKCS#8 DER, base64url.
    ticket_public_key       TEXT NOT NULL,
    ticket_secret_key       TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    closed_at               BIGINT
);
CREATE INDEX rooms_organization_idx ON rooms (organization_id, id);

CREATE TABLE room_cohosts (
    room_id     BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (room_id, account_id)
);

-- The audience of a room open to a list of accounts.
CREATE TABLE room_members (
    room_id     BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (room_id, account_id)
);

-- "Account X was issued a ticket for room R": one per account and room. No time, on purpose.
CREATE TABLE room_tickets_issued (
    room_id     BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (room_id, account_id)
);

-- Who is in a room: an anonymous participant by the hash of its ticket, a named one (and the
-- host of any room) by its account. Never both.
CREATE TABLE room_participants (
    id                 TEXT PRIMARY KEY,
    room_id            BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    ticket_hash        TEXT,
    account_id         BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    pseudonym_adjective BIGINT,
    pseudonym_animal   BIGINT,
    pseudonym_number   BIGINT,
    state              TEXT NOT NULL CHECK (state IN ('active', 'muted', 'removed')),
    CHECK ((ticket_hash IS NULL) <> (account_id IS NULL)),
    CONSTRAINT room_participants_ticket_key UNIQUE (room_id, ticket_hash),
    CONSTRAINT room_participants_account_key UNIQUE (room_id, account_id)
);

CREATE TABLE room_messages (
    id              BIGINT PRIMARY KEY,
    room_id         BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL REFERENCES room_participants (id) ON DELETE CASCADE,
    body            TEXT NOT NULL,
    hidden_reason   TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX room_messages_room_idx ON room_messages (room_id, id);

-- What the hosts did, readable by the room's participants.
CREATE TABLE room_moderation_log (
    id              BIGINT PRIMARY KEY,
    room_id         BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    action          TEXT NOT NULL CHECK (action IN ('hide', 'mute', 'unmute', 'remove', 'notice', 'close')),
    participant_id  TEXT,
    message_id      BIGINT,
    reason          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX room_moderation_log_room_idx ON room_moderation_log (room_id, id);

-- One reaction of each kind per participant and message.
CREATE TABLE room_reactions (
    message_id      BIGINT NOT NULL REFERENCES room_messages (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL REFERENCES room_participants (id) ON DELETE CASCADE,
    emoji           TEXT NOT NULL,
    PRIMARY KEY (message_id, participant_id, emoji)
);

CREATE TABLE room_reports (
    id              BIGINT PRIMARY KEY,
    room_id         BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    message_id      BIGINT NOT NULL REFERENCES room_messages (id) ON DELETE CASCADE,
    reporter_id     TEXT NOT NULL REFERENCES room_participants (id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (message_id, reporter_id)
);
