-- The diagnostic's disclosure threshold: a published cell resting on fewer respondents is
-- suppressed. Five unless the programme's policy says otherwise.

ALTER TABLE diagnostics ADD COLUMN min_cell INTEGER NOT NULL DEFAULT 5;
