-- Announcements (Mastodon's): an organisation's administrators tell its members (or, with no
-- organisation, everyone on the instance); each member reacts with emojis and marks them read.
CREATE TABLE announcements (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    author_id        INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    text             TEXT NOT NULL,
    starts_at        INTEGER,
    ends_at          INTEGER,
    all_day          INTEGER NOT NULL CHECK (all_day IN (0, 1)),
    published_at     INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX announcements_organization_idx ON announcements (organization_id, id);

CREATE TABLE announcement_reads (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, account_id)
);

CREATE TABLE announcement_reactions (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);
