-- Conversations (Mastodon's): the direct statuses of one thread, listed for each participant
-- with its own unread mark. A thread is named by its first status; the statuses of each
-- are kept here (they go when the status goes), the last one is read from them.
CREATE TABLE conversation_statuses (
    status_id       INTEGER PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    root_status_id  INTEGER NOT NULL
);
CREATE INDEX conversation_statuses_root_idx ON conversation_statuses (root_status_id, status_id);

CREATE TABLE account_conversations (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    root_status_id   INTEGER NOT NULL,
    -- Everyone in it, the account included, space-separated.
    participant_ids  TEXT NOT NULL,
    unread           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, root_status_id)
);
