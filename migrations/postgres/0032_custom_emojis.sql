-- Custom emojis (Mastodon's): an organisation's administrators upload its own pictures, used in
-- statuses as :shortcode:. A shortcode names one emoji on the whole instance, as on Mastodon.
CREATE TABLE custom_emojis (
    id                 BIGINT PRIMARY KEY,
    organization_id    BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
    shortcode          TEXT NOT NULL,
    category           TEXT,
    file_name          TEXT NOT NULL,
    visible_in_picker  BIGINT NOT NULL CHECK (visible_in_picker IN (0, 1)),
    created_by         BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at         BIGINT NOT NULL,
    CONSTRAINT custom_emojis_shortcode_key UNIQUE (shortcode)
);
CREATE INDEX custom_emojis_file_idx ON custom_emojis (file_name);
