-- Mastodon's `filter` answer of a notification policy: a notification from such a sender is
-- kept aside (`filtered`) as a request, out of the list, the streams and pushes, until the
-- recipient accepts the sender (then it joins the list, and the sender's next ones come
-- straight in: `notification_permissions`) or dismisses it (then it is gone).
ALTER TABLE notifications ADD COLUMN filtered BIGINT NOT NULL DEFAULT 0 CHECK (filtered IN (0, 1));
CREATE INDEX notifications_requests_idx ON notifications (account_id, filtered, from_account_id);

CREATE TABLE notification_permissions (
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (account_id, from_account_id)
);

ALTER TABLE notification_policies
    DROP CONSTRAINT notification_policies_for_not_following_check,
    DROP CONSTRAINT notification_policies_for_not_followers_check,
    DROP CONSTRAINT notification_policies_for_new_accounts_check,
    DROP CONSTRAINT notification_policies_for_private_mentions_check,
    DROP CONSTRAINT notification_policies_for_limited_accounts_check,
    ADD CONSTRAINT notification_policies_for_not_following_check CHECK (for_not_following IN ('accept', 'filter', 'drop')),
    ADD CONSTRAINT notification_policies_for_not_followers_check CHECK (for_not_followers IN ('accept', 'filter', 'drop')),
    ADD CONSTRAINT notification_policies_for_new_accounts_check CHECK (for_new_accounts IN ('accept', 'filter', 'drop')),
    ADD CONSTRAINT notification_policies_for_private_mentions_check CHECK (for_private_mentions IN ('accept', 'filter', 'drop')),
    ADD CONSTRAINT notification_policies_for_limited_accounts_check CHECK (for_limited_accounts IN ('accept', 'filter', 'drop'));
