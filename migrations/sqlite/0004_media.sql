-- Uploaded photos. A row without a status is an upload not yet attached; it is removed (with
-- its files) after a day.
CREATE TABLE media_attachments (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id     INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    thumb_name    TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    thumb_width   INTEGER NOT NULL,
    thumb_height  INTEGER NOT NULL,
    blurhash      TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    file_size     INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX media_attachments_status_idx ON media_attachments (status_id);
CREATE INDEX media_attachments_unattached_idx ON media_attachments (created_at) WHERE status_id IS NULL;
