-- Whose notifications an account refuses (Mastodon's notification policy): `accept` or `drop`
-- for each kind of sender. An account without a row accepts everything.
CREATE TABLE notification_policies (
    account_id            BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    for_not_following     TEXT NOT NULL CHECK (for_not_following IN ('accept', 'drop')),
    for_not_followers     TEXT NOT NULL CHECK (for_not_followers IN ('accept', 'drop')),
    for_new_accounts      TEXT NOT NULL CHECK (for_new_accounts IN ('accept', 'drop')),
    for_private_mentions  TEXT NOT NULL CHECK (for_private_mentions IN ('accept', 'drop')),
    for_limited_accounts  TEXT NOT NULL CHECK (for_limited_accounts IN ('accept', 'drop')),
    updated_at            BIGINT NOT NULL
);
