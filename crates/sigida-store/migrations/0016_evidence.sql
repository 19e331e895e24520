-- Findings the analysts write themselves (issue 18): the localities a local finding is about,
-- the value a piece of evidence cited when it was written (to say when new data changed it),
-- and the register of secondary documents a finding may cite.

ALTER TABLE evidence ADD COLUMN cited TEXT;

CREATE TABLE finding_localities (
    finding_id TEXT NOT NULL REFERENCES findings(id),
    locality_id TEXT NOT NULL REFERENCES localities(id),
    PRIMARY KEY (finding_id, locality_id)
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    published_on TEXT,
    link TEXT
);
