-- Each node keeps the newest statuses of recent readers' home timelines in memory
-- (app::home_feed). A follow added or removed changes which statuses belong there, on whichever
-- node it happened; every token lookup reads this number, so a node sees the change on the
-- account's next request and builds that feed again.
ALTER TABLE accounts ADD COLUMN follows_changed INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER follows_counted;
DROP TRIGGER follows_uncounted;

CREATE TRIGGER follows_counted AFTER INSERT ON follows
BEGIN
    UPDATE accounts SET following_count = following_count + 1, follows_changed = follows_changed + 1
        WHERE id = NEW.account_id;
    UPDATE accounts SET followers_count = followers_count + 1 WHERE id = NEW.target_account_id;
END;

CREATE TRIGGER follows_uncounted AFTER DELETE ON follows
BEGIN
    UPDATE accounts SET following_count = following_count - 1, follows_changed = follows_changed + 1
        WHERE id = OLD.account_id;
    UPDATE accounts SET followers_count = followers_count - 1 WHERE id = OLD.target_account_id;
END;
