-- A cleaning-log entry can be about one row of a repeat: the row's path below its submission
-- (`roster[2]`, `roster[2]/vaccins[1]`), REACH's loop index; empty for the submission itself.

ALTER TABLE cleaning_log ADD COLUMN loop_index TEXT NOT NULL DEFAULT '';
