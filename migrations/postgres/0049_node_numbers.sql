-- Each process that opens the database takes the next number here; the low bits of the ids it
-- makes are that number (domain::id), so two nodes, or a command run beside the server, never
-- make the same id. Two nodes writing statuses at 650 a second each met about once in ten
-- seconds with random low bits (BENCHMARKS.md, issue 22).
CREATE TABLE node_numbers (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    last_taken BIGINT NOT NULL
);
INSERT INTO node_numbers (one, last_taken) VALUES (1, 0);
