-- Indicators and their values. A value set is replaced whole when its provenance (the imports
-- and the cleaning-log version of the data, the method) no longer matches the data.

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    theme TEXT NOT NULL,
    kind TEXT NOT NULL,
    question TEXT NOT NULL,
    option_value TEXT,
    weight_column TEXT,
    strata_column TEXT,
    cluster_column TEXT,
    locality_column TEXT NOT NULL,
    by_columns TEXT NOT NULL,
    UNIQUE (diagnostic_id, code)
);

CREATE TABLE indicator_values (
    indicator_id TEXT NOT NULL REFERENCES indicators(id),
    community_id TEXT NOT NULL REFERENCES communities(id),
    seq INTEGER NOT NULL,
    by_column TEXT,
    by_value TEXT,
    estimate REAL NOT NULL,
    se REAL NOT NULL,
    ci_low REAL NOT NULL,
    ci_high REAL NOT NULL,
    n INTEGER NOT NULL,
    imports TEXT NOT NULL,
    log_version TEXT NOT NULL,
    method TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (indicator_id, community_id, seq)
);
