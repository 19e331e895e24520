-- Field laptops registered at the centre (issue 20): a name, the communities it works on ('':
-- all), the hash of its sync token (revocable), and the copy that first used the token (a
-- token then syncs that copy only).
CREATE TABLE sync_replicas (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    communities TEXT NOT NULL,
    token_sha256 TEXT NOT NULL,
    replica TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_sync_at TEXT
);

-- The centre a laptop syncs with: its address, the token (sealed with the diagnostic's key)
-- and the fingerprint of its certificate, pinned.
ALTER TABLE sync_context ADD COLUMN server_url TEXT;
ALTER TABLE sync_context ADD COLUMN server_token TEXT;
ALTER TABLE sync_context ADD COLUMN server_fingerprint TEXT;
