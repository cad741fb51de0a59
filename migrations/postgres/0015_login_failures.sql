-- Failed log-ins per account and client address, shared by every node, so that several nodes
-- are one limit. Only failures: the owner's own log-ins spend nothing. Rows older than the
-- window are swept (the address is kept no longer than the limit needs it).
CREATE TABLE login_failures (
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    address     TEXT NOT NULL,
    failures    BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (account_id, address)
);
