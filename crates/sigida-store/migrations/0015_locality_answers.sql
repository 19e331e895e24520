-- Which question of an instrument says where an answer was given, and how its answers map to
-- the diagnostic's localities (a survey's P-codes or names are rarely Sigida's slugs).

CREATE TABLE instrument_localities (
    instrument_id TEXT PRIMARY KEY REFERENCES instruments(id),
    question TEXT NOT NULL
);

CREATE TABLE locality_answers (
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    answer TEXT NOT NULL,
    locality_id TEXT NOT NULL REFERENCES localities(id),
    PRIMARY KEY (instrument_id, answer)
);
