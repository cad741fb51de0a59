-- Hashtags an account follows (their public statuses join its home timeline) and those it
-- features on its profile (Mastodon's followed and featured tags). Tags are kept lower-cased,
-- as `status_tags` keeps them.
CREATE TABLE followed_tags (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT followed_tags_account_tag_key UNIQUE (account_id, tag)
);
CREATE INDEX followed_tags_tag_idx ON followed_tags (tag, account_id);

CREATE TABLE featured_tags (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    CONSTRAINT featured_tags_account_tag_key UNIQUE (account_id, tag)
);
