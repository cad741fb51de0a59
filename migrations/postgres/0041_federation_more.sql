-- An account that federates may also let its followers-only posts reach its followers on
-- other servers (addressed to its followers collection only; app::federation). Off unless
-- the account chose it.
ALTER TABLE accounts ADD COLUMN federates_private BIGINT NOT NULL DEFAULT 0;

-- What a remote actor says of itself (its summary as plain text) and where its profile page
-- is, for its profile here and the Mastodon API's `note` and `url`.
ALTER TABLE remote_actors ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE remote_actors ADD COLUMN profile_url TEXT;
