-- An audit log that shows tampering (issue 19): each entry carries its place in this copy's
-- chain (`seq`, from 1), the copy it was written on (`replica`: one chain per copy, so that
-- copies can later be merged) and `hash`, the SHA-256 of the previous entry's hash and of its
-- own fields. `audit_head` is the chain's end, updated with every entry in the same
-- transaction; its one row is also the lock that keeps two writers from forking the chain.
-- Entries written before this migration are chained, in the order they were written, by the
-- first entry written after it.

ALTER TABLE audit_log ADD COLUMN replica TEXT;
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE INDEX audit_log_seq ON audit_log(seq);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    replica TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

INSERT INTO audit_head (id, replica, seq, hash) VALUES (1, '', 0, '');
