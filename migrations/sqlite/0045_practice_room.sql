-- A training's practice space has an anonymous room of its own (app::practice). space_id keeps
-- it out of the real network and practice identities out of real rooms (0 = a real room).
ALTER TABLE rooms ADD COLUMN space_id INTEGER NOT NULL DEFAULT 0;
-- A practice room's second key: it blindly signs one receipt per participant who has spoken,
-- which the trainee's account then hands in to show the task done (docs/anonymity.md).
ALTER TABLE rooms ADD COLUMN receipt_public_key TEXT;
ALTER TABLE rooms ADD COLUMN receipt_secret_key TEXT;

-- Which participants have had their receipt: the anonymous side only, stored in the order of
-- the participants' random ids.
CREATE TABLE room_receipts_issued (
    room_id         INTEGER NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL,
    PRIMARY KEY (room_id, participant_id)
) WITHOUT ROWID;

-- Which practice identities handed in a receipt: one row per space, the account ids in
-- ascending order, rewritten whole, with no time (a time, or an order of hand-in, would pair an
-- account with a message), as room_ticket_holders keeps who took tickets.
CREATE TABLE practice_room_speakers (
    space_id        INTEGER PRIMARY KEY REFERENCES practice_spaces (id) ON DELETE CASCADE,
    account_ids     TEXT NOT NULL
);

-- The receipts handed in, so that each counts once: their hashes alone, stored in the order of
-- the hash.
CREATE TABLE practice_room_receipts (
    receipt_hash    TEXT PRIMARY KEY,
    space_id        INTEGER NOT NULL REFERENCES practice_spaces (id) ON DELETE CASCADE
) WITHOUT ROWID;
