-- The social network: statuses (posts, wall posts, replies), follows, favourites,
-- notifications, and the wall setting.

ALTER TABLE accounts ADD COLUMN wall_friends_only BIGINT NOT NULL DEFAULT 0;

CREATE TABLE statuses (
    id                      BIGINT PRIMARY KEY,
    account_id              BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Set when the status was written on another account's wall.
    wall_account_id         BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    in_reply_to_id          BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
    in_reply_to_account_id  BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    visibility              TEXT NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private',
                                'direct', 'organization', 'department')),
    -- The author's organisation and department when posting: who `organization` and
    -- `department` visibility reach.
    organization_id         BIGINT,
    department_id           BIGINT,
    title                   TEXT,
    source                  TEXT NOT NULL,
    content                 TEXT NOT NULL,
    spoiler_text            TEXT NOT NULL DEFAULT '',
    sensitive               BIGINT NOT NULL DEFAULT 0,
    language                TEXT,
    created_at              BIGINT NOT NULL
);
CREATE INDEX statuses_account_idx ON statuses (account_id, id);
CREATE INDEX statuses_wall_idx ON statuses (wall_account_id, id);
CREATE INDEX statuses_reply_idx ON statuses (in_reply_to_id);
CREATE INDEX statuses_visibility_idx ON statuses (visibility, id);

CREATE TABLE status_mentions (
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX status_mentions_account_idx ON status_mentions (account_id);

CREATE TABLE status_tags (
    status_id  BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (status_id, tag)
);
CREATE INDEX status_tags_tag_idx ON status_tags (tag, status_id);

CREATE TABLE follows (
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);
CREATE INDEX follows_target_idx ON follows (target_account_id);

CREATE TABLE favourites (
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX favourites_status_idx ON favourites (status_id);

CREATE TABLE notifications (
    id               BIGINT PRIMARY KEY,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    status_id        BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    created_at       BIGINT NOT NULL
);
CREATE INDEX notifications_account_idx ON notifications (account_id, id);

-- The last notification an account has read (Mastodon's marker).
CREATE TABLE markers (
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline      TEXT NOT NULL,
    last_read_id  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, timeline)
);

-- Idempotency-Key: a retried request returns the status made the first time.
CREATE TABLE idempotency_keys (
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, key)
);
