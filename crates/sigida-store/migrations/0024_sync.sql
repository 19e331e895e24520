-- Copies of one diagnostic brought together (issue 20). Every change to a table that travels
-- is logged here by a trigger, in the writer's own transaction, so that no change can be left
-- unrecorded: which table and row (`pk`, its key as a JSON array), inserted, updated or
-- deleted, the row as it was before (`old_row`, the version the change was based on) and
-- after (`new_row`) for the tables merged field by field, when, and whether it came from
-- another copy (`via`) or settles a conflict (`resolves`). `seq` orders this copy's log; a
-- peer has received everything up to the `seq` it acknowledged.

CREATE TABLE sync_changes (
    seq INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,
    op TEXT NOT NULL,
    old_row TEXT,
    new_row TEXT,
    changed_at TEXT NOT NULL,
    via TEXT,
    resolves INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sync_changes_row ON sync_changes(tbl, pk);

-- What the triggers copy into each entry: set by the applier (the copy a change came from)
-- and by a conflict's resolution, in their transaction, and reset before it commits. Also this
-- copy's name, as its peers list it, and whether its existing rows were logged (`baseline`).
CREATE TABLE sync_context (
    id INTEGER PRIMARY KEY,
    via TEXT,
    resolves INTEGER NOT NULL,
    name TEXT NOT NULL,
    baseline INTEGER NOT NULL
);
INSERT INTO sync_context (id, via, resolves, name, baseline) VALUES (1, NULL, 0, '', 0);

-- The copies this one exchanges with: the last of our changes each acknowledged, the last of
-- theirs we applied.
CREATE TABLE sync_peers (
    replica TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sent_upto INTEGER NOT NULL,
    received_upto INTEGER NOT NULL,
    last_sync_at TEXT
);

-- Two changes to the same field since their common version, or an edit against a deletion
-- (`field` = '*'): both values kept (JSON, sealed values stay sealed) until a person chooses.
CREATE TABLE sync_conflicts (
    id TEXT PRIMARY KEY,
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,
    field TEXT NOT NULL,
    base_value TEXT,
    local_value TEXT,
    remote_value TEXT,
    remote_replica TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT
);
CREATE INDEX sync_conflicts_row ON sync_conflicts(tbl, pk);
