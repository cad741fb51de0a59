-- Bookmarks, and an id for each favourite: Mastodon pages one's bookmarks and favourites by
-- when they were made (the mark's id), not by the status's.
CREATE TABLE bookmarks (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_status_idx ON bookmarks (status_id);
CREATE INDEX bookmarks_account_idx ON bookmarks (account_id, id);

ALTER TABLE favourites ADD COLUMN id BIGSERIAL;
CREATE UNIQUE INDEX favourites_account_idx ON favourites (account_id, id);
