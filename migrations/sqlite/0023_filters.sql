-- Content filters (Mastodon's filters v2): an account's words and statuses to warn about or
-- hide, in the contexts it names (space-separated), until an expiry.
CREATE TABLE filters (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    contexts    TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('warn', 'hide')),
    expires_at  INTEGER,
    created_at  INTEGER NOT NULL
);
CREATE INDEX filters_account_idx ON filters (account_id, id);

CREATE TABLE filter_keywords (
    id          INTEGER PRIMARY KEY,
    filter_id   INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword     TEXT NOT NULL,
    whole_word  INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX filter_keywords_filter_idx ON filter_keywords (filter_id, id);

CREATE TABLE filter_statuses (
    id          INTEGER PRIMARY KEY,
    filter_id   INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    UNIQUE (filter_id, status_id)
);
CREATE INDEX filter_statuses_status_idx ON filter_statuses (status_id);
