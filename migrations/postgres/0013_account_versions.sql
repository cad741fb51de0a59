-- A number that grows with every change to an account as it is shown: its own row (counts
-- included) and the names of its department and organisation. Every status row read carries
-- its author's, so a node reads an author again only when it changed since the node last read
-- it (app::known_accounts).
ALTER TABLE accounts ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION sotong_version_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.row_version := OLD.row_version + 1;
    RETURN NEW;
END $$;

CREATE TRIGGER accounts_versioned BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION sotong_version_account();

-- Touching the members' rows lets accounts_versioned number them.
CREATE FUNCTION sotong_version_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'departments' THEN
        UPDATE accounts SET row_version = row_version WHERE department_id = NEW.id;
    ELSE
        UPDATE accounts SET row_version = row_version WHERE organization_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER departments_renamed AFTER UPDATE OF name ON departments
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION sotong_version_members();

CREATE TRIGGER organizations_renamed AFTER UPDATE OF name ON organizations
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION sotong_version_members();
