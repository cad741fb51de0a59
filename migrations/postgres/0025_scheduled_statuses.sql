-- Statuses to post later (Mastodon's scheduled statuses): what was asked, as JSON, posted by
-- the background round at its time, once.
CREATE TABLE scheduled_statuses (
    id            BIGINT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at  BIGINT NOT NULL,
    params        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX scheduled_statuses_due_idx ON scheduled_statuses (scheduled_at);
CREATE INDEX scheduled_statuses_account_idx ON scheduled_statuses (account_id, id);
