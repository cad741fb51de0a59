-- The audit log names the organisation an administrative action concerns (NULL: the whole
-- instance), so an organisation's administrators read their own and filter by it. No
-- foreign key: the log outlives what it tells of.
ALTER TABLE audit_log ADD COLUMN organization_id BIGINT;
CREATE INDEX audit_log_organization_idx ON audit_log (organization_id, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
