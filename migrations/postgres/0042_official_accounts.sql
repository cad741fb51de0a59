-- An organisation's or department's own account, speaking for it (a district office's
-- announcements account, say), designated by an administrator. It federates by default and
-- the fediverse sees it as an `Organization` (app::federation).
ALTER TABLE accounts ADD COLUMN official BIGINT NOT NULL DEFAULT 0;
