-- Background work across nodes: one node at a time holds a lease on each kind of work and
-- renews it while it works; a node that dies stops renewing, and another takes over when the
-- lease expires.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Media files whose rows are gone, waiting to be removed from storage. Rows are deleted and
-- their files queued here in one transaction; the files go after commit, and a node killed
-- in between leaves the queue for the next clean-up, never an orphaned file.
CREATE TABLE media_removals (
    name TEXT PRIMARY KEY,
    queued_at INTEGER NOT NULL
);
