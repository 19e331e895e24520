-- Protection and security risks as each source reports them, by locality. Severities are not
-- stored: they are computed from these reports by the rules of sigida_core::protection.

CREATE TABLE risk_reports (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    locality_id TEXT NOT NULL REFERENCES localities(id),
    risk TEXT NOT NULL,
    source_type TEXT NOT NULL,
    observed_on TEXT NOT NULL,
    prevalence REAL,
    incidents INTEGER,
    present INTEGER NOT NULL,
    note TEXT NOT NULL
);

CREATE INDEX risk_reports_by_community ON risk_reports (community_id, locality_id, risk);
