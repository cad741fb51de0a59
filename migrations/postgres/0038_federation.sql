-- Federation (ActivityPub, app::federation). An account federates when it chose to: the
-- fediverse sees nothing of the others (their actor and WebFinger answer 404).
ALTER TABLE accounts ADD COLUMN federates BIGINT NOT NULL DEFAULT 0;

-- Each federating account signs what it sends with a key of its own (made on first need).
CREATE TABLE actor_keys (
    account_id   BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    public_pem   TEXT NOT NULL,
    private_pem  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- Accounts of other servers that Sotong has met, as their actor documents described them.
CREATE TABLE remote_actors (
    id              BIGINT PRIMARY KEY,
    uri             TEXT NOT NULL,
    domain          TEXT NOT NULL,
    username        TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    inbox           TEXT NOT NULL,
    shared_inbox    TEXT,
    key_id          TEXT NOT NULL,
    public_key_pem  TEXT NOT NULL,
    fetched_at      BIGINT NOT NULL,
    CONSTRAINT remote_actors_uri_key UNIQUE (uri)
);
CREATE INDEX remote_actors_key_idx ON remote_actors (key_id);

-- Remote accounts following local ones. `pending` waits for a locked account's approval.
CREATE TABLE remote_followers (
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_id     BIGINT NOT NULL REFERENCES remote_actors (id) ON DELETE CASCADE,
    follow_uri   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('accepted', 'pending')),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, actor_id)
);
CREATE INDEX remote_followers_actor_idx ON remote_followers (actor_id);

-- Activities waiting to leave: one row per (activity, inbox), written in the transaction
-- that made the activity, claimed by one node at a time (`due_at` moves past the claim),
-- removed once delivered or given up on.
CREATE TABLE federation_deliveries (
    id           BIGINT PRIMARY KEY,
    activity_id  TEXT NOT NULL,
    inbox        TEXT NOT NULL,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    due_at       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    CONSTRAINT federation_deliveries_activity_inbox_key UNIQUE (activity_id, inbox)
);
CREATE INDEX federation_deliveries_due_idx ON federation_deliveries (due_at);
