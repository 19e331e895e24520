-- Communities and localities a team registers itself (issue 17): why a community was chosen,
-- whether it is archived; a locality's kind and where its population figure comes from.

ALTER TABLE communities ADD COLUMN selection_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE communities ADD COLUMN archived_at TEXT;
ALTER TABLE localities ADD COLUMN kind TEXT NOT NULL DEFAULT 'village';
ALTER TABLE localities ADD COLUMN population_source TEXT NOT NULL DEFAULT '';
ALTER TABLE localities ADD COLUMN population_year INTEGER;
