-- Protection risks from every kind of source (issue 18): an indicator or a qualitative code
-- linked to the risk it measures (their values by locality become that locality's survey,
-- interview or focus-group reports, computed when read), and the locality of a note.

CREATE TABLE indicator_risks (
    indicator_id TEXT PRIMARY KEY REFERENCES indicators(id),
    risk TEXT NOT NULL
);

CREATE TABLE code_risks (
    code_id TEXT PRIMARY KEY REFERENCES qual_codes(id),
    risk TEXT NOT NULL
);

ALTER TABLE interview_notes ADD COLUMN locality_id TEXT REFERENCES localities(id);
