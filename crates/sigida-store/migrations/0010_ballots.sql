-- Voting in consultative meetings: each participant's check-in code (typed on a phone, no
-- account), the questions put to the meeting, one ballot per participant per question (the
-- primary key: casting again replaces it), and the votes counted on paper or by show of hands.

ALTER TABLE participants ADD COLUMN check_code TEXT NOT NULL DEFAULT '';
CREATE INDEX participants_by_code ON participants(meeting_id, check_code);

CREATE TABLE questions (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL,
    options TEXT NOT NULL,
    finding_id TEXT REFERENCES findings(id),
    is_open INTEGER NOT NULL
);

CREATE TABLE ballots (
    question_id TEXT NOT NULL REFERENCES questions(id),
    participant_id TEXT NOT NULL REFERENCES participants(id),
    chosen TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    PRIMARY KEY (question_id, participant_id)
);

CREATE TABLE counted_votes (
    id TEXT PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES questions(id),
    chosen TEXT NOT NULL,
    vote_count INTEGER NOT NULL,
    source TEXT NOT NULL,
    group_kind TEXT,
    entered_at TEXT NOT NULL
);
