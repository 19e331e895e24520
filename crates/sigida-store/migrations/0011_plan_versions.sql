-- Action plans over four years. A revision carries the actions of the version before it, and
-- each remembers the one it came from (origin_id), so that what changed can be read. Human and
-- material resources sit beside the budget lines; an action names the objective (of the
-- community's objectives tree) it serves; milestones are what the follow-up ticks off.

ALTER TABLE actions ADD COLUMN origin_id TEXT;
ALTER TABLE actions ADD COLUMN resources TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN objective TEXT NOT NULL DEFAULT '';

CREATE TABLE milestones (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions(id),
    title TEXT NOT NULL,
    due_quarter INTEGER NOT NULL,
    done_on TEXT
);
CREATE INDEX milestones_action ON milestones (action_id);
