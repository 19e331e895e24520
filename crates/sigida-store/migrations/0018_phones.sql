-- Phones that protect a meeting (issue 19): a meeting takes phones' codes only while its
-- facilitator has it open to them (until `open_until`, at most a meeting's day after it was
-- opened), and a phone that joined holds a random token, not its code: the token's SHA-256 is
-- kept, as for staff sessions.

CREATE TABLE meeting_phones (
    meeting_id TEXT PRIMARY KEY REFERENCES meetings(id),
    open_until TEXT NOT NULL
);

CREATE TABLE voter_tokens (
    token_sha256 TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants(id),
    created_at TEXT NOT NULL
);
