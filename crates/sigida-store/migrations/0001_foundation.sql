-- The whole workflow's tables, written once for both databases: migrate.rs turns the SQLite
-- types into PostgreSQL ones (INTEGER → BIGINT, REAL → DOUBLE PRECISION, BLOB → BYTEA).
-- Ids are UUID text; instants RFC 3339 UTC text with a fixed width (text order is time order);
-- dates ISO text; money whole FCFA; booleans INTEGER 0/1 (sqlx's Any driver reads no SQLite
-- BOOLEAN, and one encoding keeps both backends alike).

CREATE TABLE diagnostics (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country_iso3 TEXT NOT NULL,
    programme TEXT NOT NULL,
    synthetic INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE admin_units (
    pcode TEXT NOT NULL,
    cod_version TEXT NOT NULL,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    parent_pcode TEXT,
    valid_from TEXT,
    PRIMARY KEY (pcode, cod_version)
);

CREATE TABLE communities (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    region_pcode TEXT NOT NULL,
    cercle_pcode TEXT NOT NULL,
    cod_version TEXT NOT NULL,
    description TEXT NOT NULL,
    latitude REAL,
    longitude REAL,
    UNIQUE (diagnostic_id, slug),
    FOREIGN KEY (region_pcode, cod_version) REFERENCES admin_units(pcode, cod_version),
    FOREIGN KEY (cercle_pcode, cod_version) REFERENCES admin_units(pcode, cod_version)
);

CREATE TABLE localities (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    name TEXT NOT NULL,
    admin_pcode TEXT,
    cod_version TEXT,
    latitude REAL,
    longitude REAL,
    population INTEGER
);

CREATE TABLE stakeholders (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    community_id TEXT REFERENCES communities(id),
    organisation TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    role_in_zone TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    influence INTEGER,
    interest INTEGER
);

CREATE TABLE socio_economic_groups (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    size_estimate INTEGER,
    vulnerabilities TEXT NOT NULL,
    priorities TEXT NOT NULL,
    representation TEXT NOT NULL
);

CREATE TABLE service_providers (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    locality_id TEXT REFERENCES localities(id),
    organisation TEXT NOT NULL,
    sector TEXT NOT NULL,
    service TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    capacity_per_month INTEGER,
    free_of_charge INTEGER NOT NULL,
    opening_hours TEXT NOT NULL,
    accepts_referrals INTEGER NOT NULL,
    contact_phone TEXT NOT NULL,
    latitude REAL,
    longitude REAL
);

CREATE TABLE instruments (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE instrument_versions (
    id TEXT PRIMARY KEY,
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    version TEXT NOT NULL,
    form_sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (instrument_id, version)
);

-- Raw files, kept byte for byte under their SHA-256 and never updated, in chunks so that a
-- file of a million submissions stays within each database's limit for one value.
CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL,
    seq INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);

CREATE TABLE raw_imports (
    id TEXT PRIMARY KEY,
    diagnostic_id TEXT NOT NULL REFERENCES diagnostics(id),
    instrument_version_id TEXT REFERENCES instrument_versions(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    byte_size INTEGER NOT NULL,
    record_count INTEGER NOT NULL,
    problem_count INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT,
    UNIQUE (diagnostic_id, kind, sha256)
);

-- The submissions each import brought to an instrument, by _uuid: one compact list per import
-- ("uuid TAB row TAB submitted_at" lines, in file order), since an export can hold a million.
-- The values stay in the raw file (`import_id`, row), so a newer export adds only the
-- submissions no earlier import brought; uniqueness is kept by the store under a write lock.
CREATE TABLE submission_sets (
    import_id TEXT PRIMARY KEY REFERENCES raw_imports(id),
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    submission_count INTEGER NOT NULL,
    entries BLOB NOT NULL
);

-- What the check of an import found, kept for the people who decide about it.
CREATE TABLE import_problems (
    import_id TEXT NOT NULL REFERENCES raw_imports(id),
    seq INTEGER NOT NULL,
    sheet TEXT,
    row_number INTEGER NOT NULL,
    column_name TEXT NOT NULL,
    value TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- The cleaning log of an instrument: entries in the order they were made (`seq`); clean data
-- is the raw submissions with these decisions applied, in this order.
CREATE TABLE cleaning_log (
    instrument_id TEXT NOT NULL REFERENCES instruments(id),
    seq INTEGER NOT NULL,
    uuid TEXT NOT NULL,
    question TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    issue TEXT NOT NULL,
    check_name TEXT NOT NULL,
    decision TEXT NOT NULL,
    author TEXT NOT NULL,
    entry_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (instrument_id, seq)
);

CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    theme TEXT NOT NULL,
    statement TEXT NOT NULL,
    confidence TEXT,
    validation TEXT NOT NULL,
    amended_statement TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    finding_id TEXT NOT NULL REFERENCES findings(id),
    source_type TEXT NOT NULL,
    stance TEXT NOT NULL,
    summary TEXT NOT NULL,
    reference TEXT NOT NULL
);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    level TEXT NOT NULL,
    title TEXT NOT NULL,
    meeting_date TEXT NOT NULL,
    place TEXT NOT NULL,
    facilitators TEXT NOT NULL,
    agenda TEXT NOT NULL
);

CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    name TEXT,
    sex TEXT NOT NULL,
    age_group TEXT NOT NULL,
    stakeholder_type TEXT,
    group_kind TEXT,
    organisation TEXT NOT NULL,
    consent INTEGER NOT NULL,
    checked_in_at TEXT
);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    taken_by TEXT NOT NULL
);

CREATE TABLE action_plans (
    id TEXT PRIMARY KEY,
    community_id TEXT NOT NULL REFERENCES communities(id),
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    adopted_on TEXT,
    adopted_by_meeting TEXT REFERENCES meetings(id),
    created_at TEXT NOT NULL,
    UNIQUE (community_id, version)
);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES action_plans(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    lead_partner TEXT NOT NULL,
    partners TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    localities TEXT NOT NULL,
    start_quarter INTEGER NOT NULL,
    end_quarter INTEGER NOT NULL,
    status TEXT NOT NULL,
    pdsec_axis TEXT,
    risks TEXT NOT NULL
);

CREATE TABLE action_findings (
    action_id TEXT NOT NULL REFERENCES actions(id),
    finding_id TEXT NOT NULL REFERENCES findings(id),
    PRIMARY KEY (action_id, finding_id)
);

CREATE TABLE action_decisions (
    action_id TEXT NOT NULL REFERENCES actions(id),
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    PRIMARY KEY (action_id, decision_id)
);

CREATE TABLE budget_lines (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions(id),
    item TEXT NOT NULL,
    unit TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_cost_fcfa INTEGER NOT NULL,
    funding_source TEXT NOT NULL,
    year INTEGER NOT NULL
);

CREATE TABLE plan_indicators (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions(id),
    name TEXT NOT NULL,
    baseline REAL,
    target REAL,
    unit TEXT NOT NULL,
    means_of_verification TEXT NOT NULL
);

CREATE TABLE measurements (
    id TEXT PRIMARY KEY,
    indicator_id TEXT NOT NULL REFERENCES plan_indicators(id),
    measured_on TEXT NOT NULL,
    value REAL NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX localities_community ON localities(community_id);
CREATE INDEX findings_community ON findings(community_id);
CREATE INDEX evidence_finding ON evidence(finding_id);
CREATE INDEX participants_meeting ON participants(meeting_id);
