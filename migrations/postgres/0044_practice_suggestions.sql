-- A suggestion raised by a practice identity stays in its training practice space
-- (app::practice): every read of suggestions compares space_id with the reader's.
ALTER TABLE suggestions ADD COLUMN space_id BIGINT NOT NULL DEFAULT 0;
