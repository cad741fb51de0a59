-- Remote accounts inside Sotong (app::federation): an actor of another server that replied,
-- liked, boosted or mentioned is kept as an account row without a password, organisation or
-- department, its handle `user@domain`, so that its statuses, favourites and notifications are
-- the ordinary ones. `actor_uri` is set for these only.
ALTER TABLE accounts ADD COLUMN actor_uri TEXT;
CREATE UNIQUE INDEX accounts_actor_uri_key ON accounts (actor_uri);

-- The remote id of each status that arrived from another server, so that its Update, Delete
-- or a repeated delivery finds it.
CREATE TABLE remote_statuses (
    uri         TEXT PRIMARY KEY,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX remote_statuses_status_idx ON remote_statuses (status_id);
