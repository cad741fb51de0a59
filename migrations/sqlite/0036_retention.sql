-- Retention classes an organisation's administrator sets per kind of record (a kind without a
-- row keeps its default, domain::retention), and holds that keep one record past its class
-- (a dispute, an inquiry). The background round removes what fell due, once, with its files.
CREATE TABLE retention_rules (
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    kind             TEXT NOT NULL CHECK (kind IN ('statuses', 'room_messages', 'suggestions', 'complaints', 'audit_log')),
    class            TEXT NOT NULL CHECK (class IN ('1y', '3y', '5y', '10y', '30y', 'permanent')),
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (organization_id, kind)
);

CREATE TABLE retention_holds (
    kind             TEXT NOT NULL CHECK (kind IN ('statuses', 'room_messages', 'suggestions', 'complaints', 'audit_log')),
    item_id          INTEGER NOT NULL,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    reason           TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (kind, item_id)
);
CREATE INDEX retention_holds_organization_idx ON retention_holds (organization_id, created_at);
