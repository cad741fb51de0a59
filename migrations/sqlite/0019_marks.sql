-- Bookmarks, and an id for each favourite: Mastodon pages one's bookmarks and favourites by
-- when they were made (the mark's id), not by the status's. SQLite cannot add a numbering
-- column, so favourites is rebuilt (nothing references it), numbered in the order made.
CREATE TABLE bookmarks (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_status_idx ON bookmarks (status_id);
CREATE INDEX bookmarks_account_idx ON bookmarks (account_id, id);

CREATE TABLE favourites_new (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, status_id)
);
INSERT INTO favourites_new (account_id, status_id, created_at)
    SELECT account_id, status_id, created_at FROM favourites ORDER BY created_at, status_id;
DROP TABLE favourites;
ALTER TABLE favourites_new RENAME TO favourites;
CREATE INDEX favourites_status_idx ON favourites (status_id);
CREATE INDEX favourites_account_idx ON favourites (account_id, id);
