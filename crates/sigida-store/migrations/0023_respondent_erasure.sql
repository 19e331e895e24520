-- Erasing a survey respondent (issue 19). Raw files are never edited: a file that held an
-- erased respondent is replaced by a redacted copy — the tables Sigida reads from it, with
-- that person's personal answers emptied — and its original bytes are deleted (and zeroed on
-- disk). `sha256` stays the hash of what arrived; `redacted_sha256` names the copy read since.
ALTER TABLE raw_imports ADD COLUMN redacted_sha256 TEXT;

-- The instrument an erased respondent answered (NULL for the other kinds of erasure).
ALTER TABLE erasures ADD COLUMN instrument_id TEXT;
