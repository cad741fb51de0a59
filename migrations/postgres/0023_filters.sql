-- Content filters (Mastodon's filters v2): an account's words and statuses to warn about or
-- hide, in the contexts it names (space-separated), until an expiry.
CREATE TABLE filters (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    contexts    TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('warn', 'hide')),
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX filters_account_idx ON filters (account_id, id);

CREATE TABLE filter_keywords (
    id          BIGSERIAL PRIMARY KEY,
    filter_id   BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword     TEXT NOT NULL,
    whole_word  BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX filter_keywords_filter_idx ON filter_keywords (filter_id, id);

CREATE TABLE filter_statuses (
    id          BIGSERIAL PRIMARY KEY,
    filter_id   BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    UNIQUE (filter_id, status_id)
);
CREATE INDEX filter_statuses_status_idx ON filter_statuses (status_id);
