-- Servers the instance's administrator cut off from federation (app::federation): their
-- activities are refused, their accounts' follows end, nothing is sent or fetched there. A
-- domain blocks its subdomains too.
CREATE TABLE blocked_servers (
    id              BIGINT PRIMARY KEY,
    domain          TEXT NOT NULL,
    public_comment  TEXT NOT NULL DEFAULT '',
    created_by      BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    CONSTRAINT blocked_servers_domain_key UNIQUE (domain)
);
