-- Reports and moderation (Mastodon's /api/v1/reports and /api/v1/admin/*): a report of an
-- account and some of its statuses, the moderators' handling of it, and the warnings and
-- limits an account is given.
CREATE TABLE reports (
    id                   INTEGER PRIMARY KEY,
    -- The reported account's organisation: whose administrators moderate it (NULL: an account
    -- of no organisation, moderated by any administrator).
    organization_id      INTEGER REFERENCES organizations (id),
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    category             TEXT NOT NULL CHECK (category IN ('spam', 'legal', 'violation', 'other')),
    comment              TEXT NOT NULL,
    rule_ids             TEXT NOT NULL,
    assigned_account_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_by      INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_at      INTEGER,
    -- What was done when it was resolved (Mastodon's account warning actions).
    outcome              TEXT CHECK (outcome IN ('none', 'disable', 'silence', 'suspend', 'delete_statuses')),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX reports_queue_idx ON reports (organization_id, id);
CREATE INDEX reports_target_idx ON reports (target_account_id);

-- The statuses a report points at. No foreign key: a status a moderator deletes stays named.
CREATE TABLE report_statuses (
    report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id  INTEGER NOT NULL,
    PRIMARY KEY (report_id, status_id)
);

-- A moderator's word to an account, with what was done (Mastodon's AccountWarning).
CREATE TABLE account_warnings (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    moderator_id  INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    report_id     INTEGER REFERENCES reports (id) ON DELETE SET NULL,
    action        TEXT NOT NULL CHECK (action IN ('none', 'disable', 'silence', 'suspend', 'delete_statuses')),
    text          TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX account_warnings_account_idx ON account_warnings (account_id);

-- A limited (Mastodon: silenced) account is left out of the shared timelines for those who do
-- not follow it; a suspended one is also disabled and its statuses shown to no one.
ALTER TABLE accounts ADD COLUMN silenced_at INTEGER;
ALTER TABLE accounts ADD COLUMN suspended_at INTEGER;

ALTER TABLE notifications ADD COLUMN report_id INTEGER REFERENCES reports (id) ON DELETE CASCADE;
