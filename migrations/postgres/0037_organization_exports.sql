-- An organisation's export, asked for from the administration pages and made in the
-- background by whichever node claims it (app::org_export). A node that dies mid-way stops
-- beating; another claims the export again and starts it over. The finished archive is kept in
-- the media store under `file_name` for a week.
CREATE TABLE organization_exports (
    id               BIGINT PRIMARY KEY,
    organization_id  BIGINT NOT NULL REFERENCES organizations (id),
    requested_by     BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    worker           TEXT,
    rows_done        BIGINT NOT NULL DEFAULT 0,
    rows_total       BIGINT NOT NULL DEFAULT 0,
    file_name        TEXT,
    bytes            BIGINT,
    sha256           TEXT,
    error            TEXT,
    created_at       BIGINT NOT NULL,
    beat_at          BIGINT,
    finished_at      BIGINT
);
CREATE INDEX organization_exports_organization_idx ON organization_exports (organization_id, id);
CREATE INDEX organization_exports_state_idx ON organization_exports (state, beat_at);
