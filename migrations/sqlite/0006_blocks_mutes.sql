-- Blocks and mutes. A block cuts both ways: no follows, the blocked account no longer sees the
-- blocker's statuses, and nothing of it reaches the blocker. A mute only quietens the muter's
-- timelines (and, by choice, notifications), for a while or for good.
CREATE TABLE blocks (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target_idx ON blocks (target_account_id, account_id);

CREATE TABLE mutes (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications  INTEGER NOT NULL CHECK (hide_notifications IN (0, 1)),
    -- NULL: until unmuted.
    expires_at          INTEGER,
    created_at          INTEGER NOT NULL,
    UNIQUE (account_id, target_account_id)
);
