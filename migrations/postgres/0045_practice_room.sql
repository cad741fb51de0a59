-- A training's practice space has an anonymous room of its own (app::practice). space_id keeps
-- it out of the real network and practice identities out of real rooms (0 = a real room).
ALTER TABLE rooms ADD COLUMN space_id BIGINT NOT NULL DEFAULT 0;
-- A practice room's second key: it blindly signs one receipt per participant who has spoken,
-- which the trainee's account then hands in to show the task done (docs/anonymity.md).
ALTER TABLE rooms ADD COLUMN receipt_public_key TEXT;
ALTER TABLE rooms ADD COLUMN receipt_secret_key TEXT;

-- Which participants have had their receipt: the anonymous side only, stored (after the
-- background CLUSTER) in the order of the participants' random ids.
CREATE TABLE room_receipts_issued (
    room_id         BIGINT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL,
    PRIMARY KEY (room_id, participant_id)
);

-- Which practice identities handed in a receipt: the account side only, with no time (a time
-- would pair an account with a message), stored (after the background CLUSTER)
-- in the order of account ids.
CREATE TABLE practice_room_speakers (
    space_id        BIGINT NOT NULL REFERENCES practice_spaces (id) ON DELETE CASCADE,
    account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    receipt_hash    TEXT NOT NULL,
    PRIMARY KEY (space_id, account_id),
    CONSTRAINT practice_room_speakers_receipt_key UNIQUE (receipt_hash)
);
