-- Personal data sealed at rest (issue 19): the key's check (a known text sealed with the
-- diagnostic's key; a diagnostic with this row opens only with that key), and the keyed
-- fingerprint a phone's code is found by once the code itself is sealed.

CREATE TABLE vault (
    id INTEGER PRIMARY KEY,
    check_value TEXT NOT NULL
);

ALTER TABLE participants ADD COLUMN check_code_hash TEXT;
UPDATE participants SET check_code_hash = check_code;
CREATE INDEX participants_code ON participants(check_code_hash);
