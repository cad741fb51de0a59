-- Counts kept in rows. Every account shown with a page of statuses carries its followers,
-- following and statuses, which were counted afresh for every author of every page. Triggers
-- keep the numbers right through every write that changes them, cascades included (a deleted
-- status takes its boosts with it).
ALTER TABLE accounts ADD COLUMN followers_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN following_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN statuses_count INTEGER NOT NULL DEFAULT 0;

UPDATE accounts SET
    followers_count = (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = accounts.id),
    following_count = (SELECT COUNT(*) FROM follows f WHERE f.account_id = accounts.id),
    statuses_count = (SELECT COUNT(*) FROM statuses s WHERE s.account_id = accounts.id);

CREATE TRIGGER follows_counted AFTER INSERT ON follows
BEGIN
    UPDATE accounts SET following_count = following_count + 1 WHERE id = NEW.account_id;
    UPDATE accounts SET followers_count = followers_count + 1 WHERE id = NEW.target_account_id;
END;

CREATE TRIGGER follows_uncounted AFTER DELETE ON follows
BEGIN
    UPDATE accounts SET following_count = following_count - 1 WHERE id = OLD.account_id;
    UPDATE accounts SET followers_count = followers_count - 1 WHERE id = OLD.target_account_id;
END;

CREATE TRIGGER statuses_counted AFTER INSERT ON statuses
BEGIN
    UPDATE accounts SET statuses_count = statuses_count + 1 WHERE id = NEW.account_id;
END;

CREATE TRIGGER statuses_uncounted AFTER DELETE ON statuses
BEGIN
    UPDATE accounts SET statuses_count = statuses_count - 1 WHERE id = OLD.account_id;
END;
