-- Who an account recommends on its profile (Mastodon's endorsements, "feature on profile"),
-- which follow suggestions it waved away, and the domains it blocks.
CREATE TABLE endorsements (
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         INTEGER NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);

-- Only followed accounts are endorsed: whatever ends a follow ends its endorsement.
CREATE TRIGGER follows_unendorsed AFTER DELETE ON follows
BEGIN
    DELETE FROM endorsements
    WHERE account_id = OLD.account_id AND target_account_id = OLD.target_account_id;
END;

CREATE TABLE suggestion_dismissals (
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         INTEGER NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);

-- Sotong has no other servers yet: the list is kept for when it reaches the fediverse.
CREATE TABLE domain_blocks (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    CONSTRAINT domain_blocks_account_domain_key UNIQUE (account_id, domain)
);
