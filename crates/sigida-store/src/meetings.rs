//! Meetings, their participants and decisions.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::meeting::{Ballot, CountedVotes, Decision, Meeting, Participant, Question};
use sigida_core::personal::Personal;
use sigida_core::refusal::Refusal;

use crate::rows::{Cols, date_text, json_text};
use crate::sealing::Sealer;
use crate::{Result, Store, StoreError, Tx};
use sigida_core::Timestamp;

fn meeting(row: &sqlx::any::AnyRow) -> Result<Meeting> {
    let c = Cols::of("meetings", row);
    Ok(Meeting {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        level: c.code("level")?,
        title: c.text("title")?,
        date: c.date("meeting_date")?,
        place: c.text("place")?,
        facilitators: c.text("facilitators")?,
        agenda: c.json("agenda")?,
    })
}

fn participant(row: &sqlx::any::AnyRow, s: &Sealer) -> Result<Participant> {
    let c = Cols::of("participants", row);
    Ok(Participant {
        id: c.id("id")?,
        meeting_id: c.id("meeting_id")?,
        name: s
            .open_opt_text("participants", "name", c.opt_text("name")?)?
            .map(Personal::new),
        sex: c.code("sex")?,
        age_group: c.code("age_group")?,
        stakeholder_type: c.opt_code("stakeholder_type")?,
        group: c.opt_code("group_kind")?,
        organisation: c.text("organisation")?,
        consent: c.bool("consent")?,
        checked_in_at: c.opt_timestamp("checked_in_at")?,
        check_code: s.open_text("participants", "check_code", c.text("check_code")?)?,
    })
}

fn question(row: &sqlx::any::AnyRow) -> Result<Question> {
    let c = Cols::of("questions", row);
    Ok(Question {
        id: c.id("id")?,
        meeting_id: c.id("meeting_id")?,
        position: c.i64("position")?,
        kind: c.code("kind")?,
        prompt: c.text("prompt")?,
        options: c.json("options")?,
        finding_id: c.opt_id("finding_id")?,
        open: c.bool("is_open")?,
    })
}

fn ballot(row: &sqlx::any::AnyRow) -> Result<Ballot> {
    let c = Cols::of("ballots", row);
    Ok(Ballot {
        question_id: c.id("question_id")?,
        participant_id: c.id("participant_id")?,
        option: c.text("chosen")?,
        cast_at: c.timestamp("cast_at")?,
    })
}

fn counted(row: &sqlx::any::AnyRow) -> Result<CountedVotes> {
    let c = Cols::of("counted_votes", row);
    Ok(CountedVotes {
        id: c.id("id")?,
        question_id: c.id("question_id")?,
        option: c.text("chosen")?,
        count: u32::try_from(c.i64("vote_count")?).unwrap_or(0),
        source: c.code("source")?,
        group: c.opt_code("group_kind")?,
        entered_at: c.timestamp("entered_at")?,
    })
}

fn decision(row: &sqlx::any::AnyRow) -> Result<Decision> {
    let c = Cols::of("decisions", row);
    Ok(Decision {
        id: c.id("id")?,
        meeting_id: c.id("meeting_id")?,
        kind: c.code("kind")?,
        text: c.text("text")?,
        taken_by: c.text("taken_by")?,
    })
}

impl Store {
    pub async fn meetings(&self, community: Id<Community>) -> Result<Vec<Meeting>> {
        sqlx::query("SELECT * FROM meetings WHERE community_id = $1 ORDER BY meeting_date, title")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(meeting)
            .collect()
    }

    pub async fn participants(&self, meeting: Id<Meeting>) -> Result<Vec<Participant>> {
        sqlx::query("SELECT * FROM participants WHERE meeting_id = $1 ORDER BY checked_in_at, id")
            .bind(meeting.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| participant(r, &self.seal))
            .collect()
    }

    pub async fn meeting(&self, id: Id<Meeting>) -> Result<Option<Meeting>> {
        sqlx::query("SELECT * FROM meetings WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(meeting)
            .transpose()
    }

    /// Until when a meeting takes phones' codes (`None`: never opened to them).
    pub async fn phones_open_until(&self, meeting: Id<Meeting>) -> Result<Option<Timestamp>> {
        let Some(row) = sqlx::query("SELECT open_until FROM meeting_phones WHERE meeting_id = $1")
            .bind(meeting.to_string())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(
            Cols::of("meeting_phones", &row).timestamp("open_until")?,
        ))
    }

    /// The participant a phone's code names, in a meeting open to phones at `now`.
    pub async fn voter_to_join(&self, code: &str, now: Timestamp) -> Result<Option<Participant>> {
        sqlx::query(
            "SELECT p.* FROM participants p JOIN meeting_phones o ON o.meeting_id = p.meeting_id
             WHERE p.check_code_hash = $1 AND p.check_code <> '' AND o.open_until > $2
             ORDER BY o.open_until DESC, p.id LIMIT 1",
        )
        .bind(self.seal.lookup(&code.trim().to_uppercase()))
        .bind(now.to_rfc3339())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(|r| participant(r, &self.seal))
        .transpose()
    }

    /// The participant whose phone holds `token`, while its meeting is open to phones at `now`.
    pub async fn voter_by_token(&self, token: &str, now: Timestamp) -> Result<Option<Participant>> {
        sqlx::query(
            "SELECT p.* FROM voter_tokens t JOIN participants p ON p.id = t.participant_id
             JOIN meeting_phones o ON o.meeting_id = p.meeting_id
             WHERE t.token_sha256 = $1 AND o.open_until > $2",
        )
        .bind(crate::imports::sha256_hex(token.as_bytes()))
        .bind(now.to_rfc3339())
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(|r| participant(r, &self.seal))
        .transpose()
    }

    pub async fn questions(&self, meeting: Id<Meeting>) -> Result<Vec<Question>> {
        sqlx::query("SELECT * FROM questions WHERE meeting_id = $1 ORDER BY position, id")
            .bind(meeting.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(question)
            .collect()
    }

    /// Every phone ballot of a meeting's questions.
    pub async fn ballots(&self, meeting: Id<Meeting>) -> Result<Vec<Ballot>> {
        sqlx::query(
            "SELECT b.* FROM ballots b JOIN questions q ON q.id = b.question_id
             WHERE q.meeting_id = $1 ORDER BY b.cast_at, b.participant_id",
        )
        .bind(meeting.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(ballot)
        .collect()
    }

    /// Every vote counted on paper or by show of hands in a meeting.
    pub async fn counted_votes(&self, meeting: Id<Meeting>) -> Result<Vec<CountedVotes>> {
        sqlx::query(
            "SELECT c.* FROM counted_votes c JOIN questions q ON q.id = c.question_id
             WHERE q.meeting_id = $1 ORDER BY c.entered_at, c.id",
        )
        .bind(meeting.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(counted)
        .collect()
    }

    /// The decisions of every meeting of a community, meeting by meeting in date order.
    pub async fn community_decisions(&self, community: Id<Community>) -> Result<Vec<Decision>> {
        sqlx::query(
            "SELECT d.* FROM decisions d JOIN meetings m ON m.id = d.meeting_id
             WHERE m.community_id = $1 ORDER BY m.meeting_date, m.title, m.id, d.kind, d.id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(decision)
        .collect()
    }

    pub async fn decisions(&self, meeting: Id<Meeting>) -> Result<Vec<Decision>> {
        sqlx::query("SELECT * FROM decisions WHERE meeting_id = $1 ORDER BY kind, id")
            .bind(meeting.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(decision)
            .collect()
    }
}

impl Tx {
    pub async fn insert_meeting(&mut self, m: &Meeting) -> Result<()> {
        sqlx::query(
            "INSERT INTO meetings (id, community_id, level, title, meeting_date, place, facilitators, agenda)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id.to_string())
        .bind(m.community_id.to_string())
        .bind(m.level.code())
        .bind(&m.title)
        .bind(date_text(m.date))
        .bind(&m.place)
        .bind(&m.facilitators)
        .bind(json_text(&m.agenda))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_participant(&mut self, p: &Participant) -> Result<()> {
        sqlx::query(
            "INSERT INTO participants (id, meeting_id, name, sex, age_group, stakeholder_type,
                group_kind, organisation, consent, checked_in_at, check_code, check_code_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(p.id.to_string())
        .bind(p.meeting_id.to_string())
        .bind(
            self.1
                .opt_text(p.name.as_ref().map(|n| n.expose().as_str())),
        )
        .bind(p.sex.code())
        .bind(p.age_group.code())
        .bind(p.stakeholder_type.map(|s| s.code()))
        .bind(p.group.map(|g| g.code()))
        .bind(&p.organisation)
        .bind(i64::from(p.consent))
        .bind(p.checked_in_at.map(|t| t.to_rfc3339()))
        .bind(self.1.text(&p.check_code.to_uppercase()))
        .bind(self.1.lookup(&p.check_code.to_uppercase()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Makes this copy the one the meeting is run from, if no copy is yet; refused
    /// (`meeting.other_copy`) when another copy runs it (its phones join there).
    pub async fn run_meeting_here(&mut self, meeting: Id<Meeting>) -> Result<()> {
        use sqlx::Row;
        let own = crate::sync::replica_id(self.conn()).await?;
        sqlx::query("UPDATE meetings SET run_by = $1 WHERE id = $2 AND run_by IS NULL")
            .bind(&own)
            .bind(meeting.to_string())
            .execute(self.conn())
            .await?;
        let runner: Option<String> = sqlx::query("SELECT run_by FROM meetings WHERE id = $1")
            .bind(meeting.to_string())
            .fetch_optional(self.conn())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?
            .flatten();
        match runner {
            Some(r) if r != own => Err(StoreError::Refused(sigida_core::refusal::Refusal::new(
                "meeting.other_copy",
            ))),
            _ => Ok(()),
        }
    }

    /// Marks a participant present (the first check-in counts).
    /// Opens a meeting to phones until `until` (or moves its closing there).
    pub async fn set_phones_open_until(
        &mut self,
        meeting: Id<Meeting>,
        until: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO meeting_phones (meeting_id, open_until) VALUES ($1, $2)
             ON CONFLICT (meeting_id) DO UPDATE SET open_until = excluded.open_until",
        )
        .bind(meeting.to_string())
        .bind(until.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Keeps the SHA-256 of a phone's token for the participant who joined with it.
    pub async fn add_voter_token(
        &mut self,
        token: &str,
        participant: Id<Participant>,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO voter_tokens (token_sha256, participant_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(crate::imports::sha256_hex(token.as_bytes()))
        .bind(participant.to_string())
        .bind(at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn check_in(&mut self, participant: Id<Participant>, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE participants SET checked_in_at = COALESCE(checked_in_at, $1) WHERE id = $2",
        )
        .bind(at.to_rfc3339())
        .bind(participant.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The meeting's questions, read inside the transaction after taking the meeting's write
    /// lock: a question added now gets the next position even while another is being added.
    pub async fn lock_questions(&mut self, meeting: Id<Meeting>) -> Result<Vec<Question>> {
        sqlx::query("UPDATE meetings SET id = id WHERE id = $1")
            .bind(meeting.to_string())
            .execute(self.conn())
            .await?;
        sqlx::query("SELECT * FROM questions WHERE meeting_id = $1 ORDER BY position, id")
            .bind(meeting.to_string())
            .fetch_all(self.conn())
            .await?
            .iter()
            .map(question)
            .collect()
    }

    pub async fn insert_question(&mut self, q: &Question) -> Result<()> {
        sqlx::query(
            "INSERT INTO questions (id, meeting_id, position, kind, prompt, options, finding_id, is_open)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(q.id.to_string())
        .bind(q.meeting_id.to_string())
        .bind(q.position)
        .bind(q.kind.code())
        .bind(&q.prompt)
        .bind(json_text(&q.options))
        .bind(q.finding_id.map(|f| f.to_string()))
        .bind(i64::from(q.open))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn set_question_open(&mut self, question: Id<Question>, open: bool) -> Result<()> {
        sqlx::query("UPDATE questions SET is_open = $1 WHERE id = $2")
            .bind(i64::from(open))
            .bind(question.to_string())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records a participant's ballot, replacing the one they cast before on that question.
    /// Refused unless the question is open, the option is one of its own and the participant
    /// has checked in at the question's meeting.
    pub async fn cast_ballot(&mut self, b: &Ballot) -> Result<()> {
        // Take the write lock first: a transaction that has read cannot start writing once
        // another ballot has been committed (SQLite refuses it at once, whatever the wait), and
        // the question cannot be closed between the check and the write.
        sqlx::query("UPDATE questions SET is_open = is_open WHERE id = $1")
            .bind(b.question_id.to_string())
            .execute(self.conn())
            .await?;
        let row = sqlx::query(
            "SELECT q.is_open, q.options, p.checked_in_at FROM questions q
             JOIN participants p ON p.meeting_id = q.meeting_id
             WHERE q.id = $1 AND p.id = $2",
        )
        .bind(b.question_id.to_string())
        .bind(b.participant_id.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or_else(|| StoreError::Refused(Refusal::new("ballot.other_meeting")))?;
        let c = Cols::of("questions", &row);
        if !c.bool("is_open")? {
            return Err(StoreError::Refused(Refusal::new("ballot.closed")));
        }
        let options: Vec<String> = c.json("options")?;
        if !options.contains(&b.option) {
            return Err(StoreError::Refused(
                Refusal::new("ballot.option").arg("option", &b.option),
            ));
        }
        if c.opt_timestamp("checked_in_at")?.is_none() {
            return Err(StoreError::Refused(Refusal::new("ballot.not_checked_in")));
        }
        sqlx::query(
            "INSERT INTO ballots (question_id, participant_id, chosen, cast_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (question_id, participant_id)
             DO UPDATE SET chosen = excluded.chosen, cast_at = excluded.cast_at",
        )
        .bind(b.question_id.to_string())
        .bind(b.participant_id.to_string())
        .bind(&b.option)
        .bind(b.cast_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_counted_votes(&mut self, v: &CountedVotes) -> Result<()> {
        sqlx::query(
            "INSERT INTO counted_votes (id, question_id, chosen, vote_count, source, group_kind, entered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(v.id.to_string())
        .bind(v.question_id.to_string())
        .bind(&v.option)
        .bind(i64::from(v.count))
        .bind(v.source.code())
        .bind(v.group.map(|g| g.code()))
        .bind(v.entered_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_decision(&mut self, d: &Decision) -> Result<()> {
        sqlx::query(
            "INSERT INTO decisions (id, meeting_id, kind, text, taken_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(d.id.to_string())
        .bind(d.meeting_id.to_string())
        .bind(d.kind.code())
        .bind(&d.text)
        .bind(&d.taken_by)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
