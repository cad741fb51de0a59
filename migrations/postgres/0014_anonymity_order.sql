-- Storage order must carry nothing about who holds which ticket (docs/anonymity.md).

-- Which accounts were issued a room's ticket: one row per room holding the account ids in
-- ascending order, rewritten whole, so that no dump shows in which order (or when) members
-- took their tickets. It replaces room_tickets_issued, whose rows kept insertion order.
-- (A rewritten row leaves its old version behind until VACUUM: docs/anonymity.md.)
CREATE TABLE room_ticket_holders (
    room_id     BIGINT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    account_ids TEXT NOT NULL
);
INSERT INTO room_ticket_holders (room_id, account_ids)
SELECT room_id, string_agg(account_id::text, ',' ORDER BY account_id)
FROM room_tickets_issued
GROUP BY room_id;
DROP TABLE room_tickets_issued;
