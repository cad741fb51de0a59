-- Counts kept in rows. Every account shown with a page of statuses carries its followers,
-- following and statuses, which were counted afresh for every author of every page. Triggers
-- keep the numbers right through every write that changes them, cascades included (a deleted
-- status takes its boosts with it).
ALTER TABLE accounts
    ADD COLUMN followers_count BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN following_count BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN statuses_count BIGINT NOT NULL DEFAULT 0;

UPDATE accounts SET
    followers_count = (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = accounts.id),
    following_count = (SELECT COUNT(*) FROM follows f WHERE f.account_id = accounts.id),
    statuses_count = (SELECT COUNT(*) FROM statuses s WHERE s.account_id = accounts.id);

-- Both accounts of a follow change in one statement, so that two people following each other
-- at the same moment lock their rows in the same order.
CREATE FUNCTION sotong_count_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change BIGINT := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
    follower BIGINT := CASE WHEN TG_OP = 'INSERT' THEN NEW.account_id ELSE OLD.account_id END;
    followed BIGINT := CASE WHEN TG_OP = 'INSERT' THEN NEW.target_account_id ELSE OLD.target_account_id END;
BEGIN
    UPDATE accounts SET
        following_count = following_count + CASE WHEN id = follower THEN change ELSE 0 END,
        followers_count = followers_count + CASE WHEN id = followed THEN change ELSE 0 END
    WHERE id IN (follower, followed);
    RETURN NULL;
END $$;

CREATE TRIGGER follows_counted AFTER INSERT OR DELETE ON follows
    FOR EACH ROW EXECUTE FUNCTION sotong_count_follow();

CREATE FUNCTION sotong_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE accounts SET statuses_count = statuses_count + 1 WHERE id = NEW.account_id;
    ELSE
        UPDATE accounts SET statuses_count = statuses_count - 1 WHERE id = OLD.account_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER statuses_counted AFTER INSERT OR DELETE ON statuses
    FOR EACH ROW EXECUTE FUNCTION sotong_count_status();
