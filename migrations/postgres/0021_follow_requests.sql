-- A locked account approves its followers (Mastodon's follow requests): a follow of it waits
-- here until the account authorises or rejects it.
ALTER TABLE accounts ADD COLUMN locked BIGINT NOT NULL DEFAULT 0;

CREATE TABLE follow_requests (
    id                 BIGSERIAL PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX follow_requests_target_idx ON follow_requests (target_account_id, id);
