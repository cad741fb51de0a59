-- A practice space may serve a whole program rather than one session, the trainer's choice
-- (app::practice): those checked in to any of its sessions join it.
ALTER TABLE practice_spaces ADD COLUMN program_wide BIGINT NOT NULL DEFAULT 0;
