-- The audit chain keyed with a secret of the diagnostic (issue 19): someone able to rewrite
-- the whole audit table cannot rebuild the chain without it. The secret, and the first entry
-- it keys (entries written before the diagnostic had a key are not keyed), are sealed with the
-- diagnostic's key; a new key seals them again and the chain goes on.

ALTER TABLE vault ADD COLUMN audit_secret TEXT;
ALTER TABLE vault ADD COLUMN audit_from TEXT;
