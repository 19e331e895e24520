-- The copy a meeting is run from (issue 20): the replica that first opened it to phones. Its
-- phones join there only; another copy refuses to open it, so its ballots come back with it.
ALTER TABLE meetings ADD COLUMN run_by TEXT;
