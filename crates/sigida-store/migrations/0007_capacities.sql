-- Protection capacities and opportunities: committees, leaders, associations, programmes,
-- with the risks each helps with (risk codes, comma-separated).

CREATE TABLE capacities (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    locality_id TEXT REFERENCES localities(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    risks TEXT NOT NULL
);
