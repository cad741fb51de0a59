-- Boosts are statuses pointing at another status; edits keep their history; pins.
ALTER TABLE statuses ADD COLUMN reblog_of_id INTEGER REFERENCES statuses (id) ON DELETE CASCADE;
ALTER TABLE statuses ADD COLUMN edited_at INTEGER;
ALTER TABLE statuses ADD COLUMN pinned_at INTEGER;
-- One boost per account and status.
CREATE UNIQUE INDEX statuses_reblog_key ON statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_reblog_of_idx ON statuses (reblog_of_id);

-- Earlier versions of an edited status, oldest first.
CREATE TABLE status_edits (
    id            INTEGER PRIMARY KEY,
    status_id     INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    content       TEXT NOT NULL,
    spoiler_text  TEXT NOT NULL,
    sensitive     INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX status_edits_status_idx ON status_edits (status_id, id);
