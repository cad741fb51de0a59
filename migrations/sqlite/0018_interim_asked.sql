-- The petitioner may ask for an interim notice (중간 통지 요청): a step of its own. SQLite
-- cannot change a CHECK, so the table is rebuilt (nothing references it).
CREATE TABLE complaint_steps_new (
    id             INTEGER PRIMARY KEY,
    complaint_id   INTEGER NOT NULL REFERENCES complaints (id) ON DELETE CASCADE,
    step           TEXT NOT NULL CHECK (step IN ('received', 'started', 'answered', 'refused', 'transferred', 'extended', 'interim', 'arrived', 'appealed', 'interim_asked')),
    department_id  INTEGER REFERENCES departments (id),
    actor_role     TEXT NOT NULL,
    public_text    TEXT NOT NULL DEFAULT '',
    appeal_route   TEXT NOT NULL DEFAULT '',
    due_at         INTEGER,
    created_at     INTEGER NOT NULL
);
INSERT INTO complaint_steps_new
    SELECT id, complaint_id, step, department_id, actor_role, public_text, appeal_route, due_at, created_at
    FROM complaint_steps;
DROP TABLE complaint_steps;
ALTER TABLE complaint_steps_new RENAME TO complaint_steps;
CREATE INDEX complaint_steps_complaint_idx ON complaint_steps (complaint_id, id);
