-- A profile photo: the stored file's name (a 400 × 400 square, re-encoded; app::accounts).
-- NULL shows the default picture.
ALTER TABLE accounts ADD COLUMN avatar_file TEXT;
