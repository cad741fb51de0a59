-- Custom emojis (Mastodon's): an organisation's administrators upload its own pictures, used in
-- statuses as :shortcode:. A shortcode names one emoji on the whole instance, as on Mastodon.
CREATE TABLE custom_emojis (
    id                 INTEGER PRIMARY KEY,
    organization_id    INTEGER REFERENCES organizations (id) ON DELETE CASCADE,
    shortcode          TEXT NOT NULL,
    category           TEXT,
    file_name          TEXT NOT NULL,
    visible_in_picker  INTEGER NOT NULL CHECK (visible_in_picker IN (0, 1)),
    created_by         INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    created_at         INTEGER NOT NULL,
    CONSTRAINT custom_emojis_shortcode_key UNIQUE (shortcode)
);
CREATE INDEX custom_emojis_file_idx ON custom_emojis (file_name);
