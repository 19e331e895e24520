-- Community exercises (PRA / MARP tools): their data as JSON, drawn by sigida-report.

CREATE TABLE exercises (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    group_kind TEXT,
    held_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
