-- Announcements (Mastodon's): an organisation's administrators tell its members (or, with no
-- organisation, everyone on the instance); each member reacts with emojis and marks them read.
CREATE TABLE announcements (
    id               BIGINT PRIMARY KEY,
    organization_id  BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
    author_id        BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    text             TEXT NOT NULL,
    starts_at        BIGINT,
    ends_at          BIGINT,
    all_day          BIGINT NOT NULL CHECK (all_day IN (0, 1)),
    published_at     BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX announcements_organization_idx ON announcements (organization_id, id);

CREATE TABLE announcement_reads (
    announcement_id  BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, account_id)
);

CREATE TABLE announcement_reactions (
    announcement_id  BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);
