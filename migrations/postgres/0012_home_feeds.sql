-- Each node keeps the newest statuses of recent readers' home timelines in memory
-- (app::home_feed). A follow added or removed changes which statuses belong there, on whichever
-- node it happened; every token lookup reads this number, so a node sees the change on the
-- account's next request and builds that feed again.
ALTER TABLE accounts ADD COLUMN follows_changed BIGINT NOT NULL DEFAULT 0;

-- Both accounts of a follow change in one statement, so that two people following each other
-- at the same moment lock their rows in the same order.
CREATE OR REPLACE FUNCTION sotong_count_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change BIGINT := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
    follower BIGINT := CASE WHEN TG_OP = 'INSERT' THEN NEW.account_id ELSE OLD.account_id END;
    followed BIGINT := CASE WHEN TG_OP = 'INSERT' THEN NEW.target_account_id ELSE OLD.target_account_id END;
BEGIN
    UPDATE accounts SET
        following_count = following_count + CASE WHEN id = follower THEN change ELSE 0 END,
        follows_changed = follows_changed + CASE WHEN id = follower THEN 1 ELSE 0 END,
        followers_count = followers_count + CASE WHEN id = followed THEN change ELSE 0 END
    WHERE id IN (follower, followed);
    RETURN NULL;
END $$;
