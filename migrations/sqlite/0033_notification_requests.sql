-- Mastodon's `filter` answer of a notification policy: a notification from such a sender is
-- kept aside (`filtered`) as a request, out of the list, the streams and pushes, until the
-- recipient accepts the sender (then it joins the list, and the sender's next ones come
-- straight in: `notification_permissions`) or dismisses it (then it is gone).
ALTER TABLE notifications ADD COLUMN filtered INTEGER NOT NULL DEFAULT 0 CHECK (filtered IN (0, 1));
CREATE INDEX notifications_requests_idx ON notifications (account_id, filtered, from_account_id);

CREATE TABLE notification_permissions (
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (account_id, from_account_id)
);

-- SQLite cannot change a CHECK: the policies' table is made again with `filter` allowed.
CREATE TABLE notification_policies_next (
    account_id            INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    for_not_following     TEXT NOT NULL CHECK (for_not_following IN ('accept', 'filter', 'drop')),
    for_not_followers     TEXT NOT NULL CHECK (for_not_followers IN ('accept', 'filter', 'drop')),
    for_new_accounts      TEXT NOT NULL CHECK (for_new_accounts IN ('accept', 'filter', 'drop')),
    for_private_mentions  TEXT NOT NULL CHECK (for_private_mentions IN ('accept', 'filter', 'drop')),
    for_limited_accounts  TEXT NOT NULL CHECK (for_limited_accounts IN ('accept', 'filter', 'drop')),
    updated_at            INTEGER NOT NULL
);
INSERT INTO notification_policies_next (account_id, for_not_following, for_not_followers, for_new_accounts,
    for_private_mentions, for_limited_accounts, updated_at)
SELECT account_id, for_not_following, for_not_followers, for_new_accounts, for_private_mentions,
    for_limited_accounts, updated_at FROM notification_policies;
DROP TABLE notification_policies;
ALTER TABLE notification_policies_next RENAME TO notification_policies;
