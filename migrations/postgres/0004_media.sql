-- Uploaded photos. A row without a status is an upload not yet attached; it is removed (with
-- its files) after a day.
CREATE TABLE media_attachments (
    id            BIGINT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id     BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    thumb_name    TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    thumb_width   BIGINT NOT NULL,
    thumb_height  BIGINT NOT NULL,
    blurhash      TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    file_size     BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX media_attachments_status_idx ON media_attachments (status_id);
CREATE INDEX media_attachments_unattached_idx ON media_attachments (created_at) WHERE status_id IS NULL;
