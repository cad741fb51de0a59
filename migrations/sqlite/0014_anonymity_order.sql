-- no-transaction
-- Storage order must carry nothing about who holds which ticket (docs/anonymity.md).
-- Rebuilding room_participants needs foreign keys off, which SQLite allows only outside a
-- transaction: hence this migration opens its own.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

-- Which accounts were issued a room's ticket: one row per room holding the account ids in
-- ascending order, rewritten whole, so that no dump shows in which order (or when) members
-- took their tickets. It replaces room_tickets_issued, whose rows kept insertion order.
CREATE TABLE room_ticket_holders (
    room_id     INTEGER PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    account_ids TEXT NOT NULL
);
INSERT INTO room_ticket_holders (room_id, account_ids)
SELECT room_id, group_concat(account_id, ',')
FROM (SELECT room_id, account_id FROM room_tickets_issued ORDER BY room_id, account_id)
GROUP BY room_id;
DROP TABLE room_tickets_issued;

-- Participants stored in the order of their random ids (WITHOUT ROWID), not of their joins.
CREATE TABLE room_participants_by_id (
    id                 TEXT PRIMARY KEY,
    room_id            INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    ticket_hash        TEXT,
    account_id         INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    pseudonym_adjective INTEGER,
    pseudonym_animal   INTEGER,
    pseudonym_number   INTEGER,
    state              TEXT NOT NULL CHECK (state IN ('active', 'muted', 'removed')),
    CHECK ((ticket_hash IS NULL) <> (account_id IS NULL)),
    CONSTRAINT room_participants_ticket_key UNIQUE (room_id, ticket_hash),
    CONSTRAINT room_participants_account_key UNIQUE (room_id, account_id)
) WITHOUT ROWID;
INSERT INTO room_participants_by_id SELECT id, room_id, ticket_hash, account_id,
    pseudonym_adjective, pseudonym_animal, pseudonym_number, state FROM room_participants;
DROP TABLE room_participants;
ALTER TABLE room_participants_by_id RENAME TO room_participants;

COMMIT;
PRAGMA foreign_keys = ON;
