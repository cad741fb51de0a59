-- Hashtags an account follows (their public statuses join its home timeline) and those it
-- features on its profile (Mastodon's followed and featured tags). Tags are kept lower-cased,
-- as `status_tags` keeps them.
CREATE TABLE followed_tags (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT followed_tags_account_tag_key UNIQUE (account_id, tag)
);
CREATE INDEX followed_tags_tag_idx ON followed_tags (tag, account_id);

CREATE TABLE featured_tags (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT featured_tags_account_tag_key UNIQUE (account_id, tag)
);
