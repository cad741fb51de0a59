-- Photos are served by looking up whose status they belong to.
CREATE INDEX media_attachments_file_name_idx ON media_attachments (file_name);
CREATE INDEX media_attachments_thumb_name_idx ON media_attachments (thumb_name);

-- Keys of this instance, made once at first start and shared by every node (the key that
-- signs addresses of photos that are not public).
CREATE TABLE instance_keys (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
