-- Qualitative evidence: interview and group-discussion notes (personal data: they may name
-- people), the diagnostic's codebook, and the excerpts coded with it.

CREATE TABLE interview_notes (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    group_kind TEXT,
    sex TEXT,
    held_on TEXT NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (community_id, code)
);

CREATE TABLE qual_codes (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    theme TEXT NOT NULL,
    UNIQUE (diagnostic_id, code)
);

CREATE TABLE excerpts (
    id TEXT PRIMARY KEY,
    note_id TEXT NOT NULL REFERENCES interview_notes(id),
    seq INTEGER NOT NULL,
    text TEXT NOT NULL
);

CREATE TABLE excerpt_codes (
    excerpt_id TEXT NOT NULL REFERENCES excerpts(id),
    code_id TEXT NOT NULL REFERENCES qual_codes(id),
    PRIMARY KEY (excerpt_id, code_id)
);
