-- A number that grows with every change to an account as it is shown: its own row (counts
-- included) and the names of its department and organisation. Every status row read carries
-- its author's, so a node reads an author again only when it changed since the node last read
-- it (app::known_accounts).
ALTER TABLE accounts ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;

-- The WHEN clause keeps the trigger's own update from firing it again.
CREATE TRIGGER accounts_versioned AFTER UPDATE ON accounts WHEN NEW.row_version = OLD.row_version
BEGIN
    UPDATE accounts SET row_version = OLD.row_version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER departments_renamed AFTER UPDATE OF name ON departments
BEGIN
    UPDATE accounts SET row_version = row_version + 1 WHERE department_id = NEW.id;
END;

CREATE TRIGGER organizations_renamed AFTER UPDATE OF name ON organizations
BEGIN
    UPDATE accounts SET row_version = row_version + 1 WHERE organization_id = NEW.id;
END;
