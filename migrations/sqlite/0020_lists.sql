-- Lists (Mastodon's): an account's named groups of accounts it follows, each a timeline of its
-- own; an exclusive list keeps its members' posts out of the home timeline.
CREATE TABLE lists (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    replies_policy  TEXT NOT NULL DEFAULT 'list' CHECK (replies_policy IN ('followed', 'list', 'none')),
    exclusive       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);
CREATE INDEX lists_account_idx ON lists (account_id, id);

CREATE TABLE list_accounts (
    list_id     INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (list_id, account_id)
);
CREATE INDEX list_accounts_account_idx ON list_accounts (account_id, list_id);

-- A list holds only accounts its owner follows: an unfollow (or a block, which ends follows)
-- takes the account out of the follower's lists, whatever removed the follow.
CREATE TRIGGER follows_unlisted AFTER DELETE ON follows
BEGIN
    DELETE FROM list_accounts
    WHERE account_id = OLD.target_account_id
      AND list_id IN (SELECT id FROM lists WHERE account_id = OLD.account_id);
END;
