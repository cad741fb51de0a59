-- A profile photo: the stored file's name (a 400 × 400 square, re-encoded; app::accounts).
-- NULL shows the default picture.
ALTER TABLE accounts ADD COLUMN avatar_file TEXT;
-- /avatars/{name} is served to anyone and asks whose photo a name is.
CREATE INDEX accounts_avatar_file_idx ON accounts (avatar_file);
