-- The diagnostic's settings a coordinator keeps (issue 17): its period and its languages.

ALTER TABLE diagnostics ADD COLUMN period_start TEXT;
ALTER TABLE diagnostics ADD COLUMN period_end TEXT;
ALTER TABLE diagnostics ADD COLUMN languages TEXT NOT NULL DEFAULT 'fr,en';
