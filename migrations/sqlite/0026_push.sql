-- Web Push (Mastodon's /api/v1/push/subscription): one subscription per access token, ended
-- with it. The token itself is kept sealed (AES-GCM under the instance key `push_tokens`)
-- because Mastodon's push message carries it and apps match a message to an account by it.
CREATE TABLE push_subscriptions (
    id            INTEGER PRIMARY KEY,
    token_id      INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint      TEXT NOT NULL,
    p256dh        TEXT NOT NULL,
    auth          TEXT NOT NULL,
    sealed_token  TEXT NOT NULL,
    standard      INTEGER NOT NULL CHECK (standard IN (0, 1)),
    alerts        TEXT NOT NULL,
    policy        TEXT NOT NULL CHECK (policy IN ('all', 'followed', 'follower', 'none')),
    created_at    INTEGER NOT NULL,
    CONSTRAINT push_subscriptions_token_key UNIQUE (token_id)
);
CREATE INDEX push_subscriptions_account_idx ON push_subscriptions (account_id);

-- Messages waiting to leave: written with the notification, in its transaction; removed when
-- delivered, refused for good, or given up on. `due_at` is also the claim: a node that takes
-- one moves it ahead, so two nodes never send the same message.
CREATE TABLE push_deliveries (
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    notification_id  INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    attempts         INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, notification_id)
);
CREATE INDEX push_deliveries_due_idx ON push_deliveries (due_at);
CREATE INDEX push_deliveries_notification_idx ON push_deliveries (notification_id);
