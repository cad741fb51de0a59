-- Polls on statuses (Mastodon's). A vote is one row per choice; poll_voters holds one row per
-- account and poll, so that a second vote clashes on its key even when two arrive at once.
CREATE TABLE polls (
    id             INTEGER PRIMARY KEY,
    status_id      INTEGER NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
    multiple       INTEGER NOT NULL DEFAULT 0,
    hide_totals    INTEGER NOT NULL DEFAULT 0,
    expires_at     INTEGER NOT NULL,
    -- Set when the end was told to the author and the voters (claimed once, by the
    -- background round).
    ended_told_at  INTEGER,
    created_at     INTEGER NOT NULL
);
CREATE INDEX polls_ending_idx ON polls (expires_at) WHERE ended_told_at IS NULL;

CREATE TABLE poll_options (
    poll_id   INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    title     TEXT NOT NULL,
    PRIMARY KEY (poll_id, position)
);

CREATE TABLE poll_voters (
    poll_id     INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (poll_id, account_id)
);

CREATE TABLE poll_votes (
    poll_id     INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice      INTEGER NOT NULL,
    PRIMARY KEY (poll_id, account_id, choice)
);
