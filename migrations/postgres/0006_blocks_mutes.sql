-- Blocks and mutes. A block cuts both ways: no follows, the blocked account no longer sees the
-- blocker's statuses, and nothing of it reaches the blocker. A mute only quietens the muter's
-- timelines (and, by choice, notifications), for a while or for good.
CREATE TABLE blocks (
    id                 BIGINT PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target_idx ON blocks (target_account_id, account_id);

CREATE TABLE mutes (
    id                  BIGINT PRIMARY KEY,
    account_id          BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications  BIGINT NOT NULL CHECK (hide_notifications IN (0, 1)),
    -- NULL: until unmuted.
    expires_at          BIGINT,
    created_at          BIGINT NOT NULL,
    UNIQUE (account_id, target_account_id)
);
