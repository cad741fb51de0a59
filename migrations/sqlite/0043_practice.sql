-- Training practice (app::practice): a training session's practice space, where each trainee
-- acts through a practice identity, an account whose space_id names the space. Every read of
-- accounts and statuses compares space_id with the reader's (0: the real network), so what is
-- done in a space is seen in that space only.
CREATE TABLE practice_spaces (
    id                   INTEGER PRIMARY KEY,
    session_id           INTEGER NOT NULL REFERENCES program_sessions (id) ON DELETE CASCADE,
    program_id           INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    -- The scripted resident who writes to each trainee.
    resident_account_id  INTEGER REFERENCES accounts (id),
    retention_days       INTEGER NOT NULL,
    opened_at            INTEGER NOT NULL,
    closed_at            INTEGER,
    -- Set when the practice content has been removed, retention_days after closing.
    purged_at            INTEGER,
    CONSTRAINT practice_spaces_session_key UNIQUE (session_id)
);

ALTER TABLE accounts ADD COLUMN space_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statuses ADD COLUMN space_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_space_idx ON accounts (space_id);
CREATE INDEX statuses_space_idx ON statuses (space_id, id);

-- A trainee of a space: the real account (checked in to the session) and its practice identity.
CREATE TABLE practice_trainees (
    space_id             INTEGER NOT NULL REFERENCES practice_spaces (id) ON DELETE CASCADE,
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    practice_account_id  INTEGER NOT NULL REFERENCES accounts (id),
    joined_at            INTEGER NOT NULL,
    PRIMARY KEY (space_id, account_id)
);
CREATE INDEX practice_trainees_practice_idx ON practice_trainees (practice_account_id);

-- A web session or an app's token acting as the account's practice identity.
ALTER TABLE tokens ADD COLUMN practice_account_id INTEGER REFERENCES accounts (id);

-- A program's curriculum; a program without rows practises domain::practice::default_curriculum.
CREATE TABLE practice_tasks (
    program_id   INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    task_check   TEXT NOT NULL,
    title_ko     TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    howto_ko     TEXT NOT NULL,
    howto_en     TEXT NOT NULL,
    PRIMARY KEY (program_id, position)
);

-- 1: the program's "staff trained" counts those who finished every task, not attendance.
ALTER TABLE programs ADD COLUMN trained_by_completion INTEGER NOT NULL DEFAULT 0;
