-- Erasure on request (issue 19): what was erased, of whom, when and by whom — never the data
-- itself. The row stays (counts, tallies and votes keep it); its personal fields are emptied,
-- and SQLite zeroes what they held (`secure_delete`). A copy that receives this list (the
-- sync of the next issue carries it) erases the same fields, and an erased field is never
-- filled again from an older copy.

CREATE TABLE erasures (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    erased_at TEXT NOT NULL,
    erased_by TEXT
);
