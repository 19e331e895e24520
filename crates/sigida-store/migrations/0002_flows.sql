-- Flow monitoring counts (suivi des flux): one row per group of travellers counted at a point
-- on a day, going one way. The file they come from is kept as a raw import (kind
-- 'flow_counts'); source_row is the count's row in it. Dates are ISO text.

CREATE TABLE flow_counts (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    import_id TEXT REFERENCES raw_imports(id),
    source_row INTEGER,
    point TEXT NOT NULL,
    observed_on TEXT NOT NULL,
    direction TEXT NOT NULL,
    origin TEXT NOT NULL,
    destination TEXT NOT NULL,
    nationality TEXT NOT NULL,
    transport TEXT NOT NULL,
    travellers INTEGER NOT NULL,
    men INTEGER NOT NULL,
    women INTEGER NOT NULL,
    boys INTEGER NOT NULL,
    girls INTEGER NOT NULL,
    unaccompanied_children INTEGER NOT NULL,
    vulnerable INTEGER NOT NULL
);

CREATE INDEX flow_counts_by_community ON flow_counts (community_id, observed_on);
