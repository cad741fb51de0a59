-- A new status is announced to its author's followers' streams: their ids are read from this
-- index alone. The index on the followed account only made each follower's row a read of its
-- own (on SQLite, a page read from the file for each follower after another connection's
-- commit had emptied the cache: most of status creation's time; BENCHMARKS.md, issue 22).
CREATE INDEX follows_target_follower_idx ON follows (target_account_id, account_id);
DROP INDEX follows_target_idx;
