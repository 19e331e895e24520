//! Meetings: creating one, the register, the questions and their votes (phones, paper, show
//! of hands), the findings put to validation and what the room decided, and the minutes
//! assembled for their document. The facilitator's pages, the phones and the demo all come
//! here; ids and instants are the caller's (the demo's are seeded).

use sigida_core::actors::{GroupKind, StakeholderType};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::{Finding, ValidationStatus};
use sigida_core::meeting::{
    AgeGroup, Ballot, BallotSource, CountedVotes, Decision, DecisionKind, Meeting, Participant,
    Question, QuestionKind, Sex, check_code, tally,
};
use sigida_core::personal::Personal;
use sigida_core::{Id, Timestamp};
use sigida_report::Tr;
use sigida_report::minutes::option_label;
use sigida_store::{Store, StoreError};

use crate::{AppError, Refusal};

/// Creates a meeting: a title and a place are required; agenda lines are kept trimmed, blank
/// ones dropped.
pub async fn create_meeting(store: &Store, m: Meeting) -> Result<Meeting, AppError> {
    if m.title.trim().is_empty() || m.place.trim().is_empty() {
        return Err(Refusal::new("meeting.fields").into());
    }
    let meeting = Meeting {
        id: m.id,
        community_id: m.community_id,
        level: m.level,
        title: m.title.trim().to_owned(),
        date: m.date,
        place: m.place.trim().to_owned(),
        facilitators: m.facilitators.trim().to_owned(),
        agenda: lines(&m.agenda.join("\n")),
    };
    let mut tx = store.begin().await?;
    tx.insert_meeting(&meeting).await?;
    tx.commit().await?;
    Ok(meeting)
}

/// The non-blank lines of a text, trimmed: agendas and options typed one per line.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A person arriving at the meeting, as the register records them.
pub struct Arrival {
    pub id: Id<Participant>,
    pub meeting_id: Id<Meeting>,
    /// Most participants give none; the register does not need one.
    pub name: Option<String>,
    pub sex: Sex,
    pub age_group: AgeGroup,
    pub stakeholder_type: Option<StakeholderType>,
    pub group: Option<GroupKind>,
    pub organisation: String,
    pub consent: bool,
    pub at: Timestamp,
    /// The random bytes the participant's code is made of.
    pub code: [u8; 6],
}

/// Registers a participant (checked in at once) and gives them their code. Refused without
/// consent.
pub async fn register(store: &Store, a: Arrival) -> Result<Participant, AppError> {
    if !a.consent {
        return Err(Refusal::new("meeting.consent").into());
    }
    let participant = Participant {
        id: a.id,
        meeting_id: a.meeting_id,
        name: a
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| Personal::new(n.to_owned())),
        sex: a.sex,
        age_group: a.age_group,
        stakeholder_type: a.stakeholder_type,
        group: a.group,
        organisation: a.organisation.trim().to_owned(),
        consent: true,
        checked_in_at: Some(a.at),
        check_code: check_code(a.code),
    };
    let mut tx = store.begin().await?;
    tx.insert_participant(&participant).await?;
    tx.commit().await?;
    Ok(participant)
}

/// How long a meeting stays open to phones once its facilitator opens it (or opens a
/// question): a meeting's day. Past it, codes and phones' tokens are refused until it is opened
/// again, so a code read months later votes nowhere.
pub const PHONES_OPEN_SECONDS: i64 = 12 * 3600;

/// A phone that joined: its participant, and the token its cookie holds instead of the code.
pub struct Joined {
    pub participant: Participant,
    pub token: String,
}

/// A phone joins with its code while the meeting is open to phones: the participant is
/// checked in (if the register had not done it) and the phone gets a random token, of which
/// the store keeps only the hash. `None` when no participant of a meeting open at `at` has
/// that code (the caller counts it as a failed guess).
pub async fn join(store: &Store, code: &str, at: Timestamp) -> Result<Option<Joined>, AppError> {
    let Some(participant) = store.voter_to_join(code, at).await? else {
        return Ok(None);
    };
    let token = crate::common::random_token();
    let mut tx = store.begin().await?;
    tx.check_in(participant.id, at).await?;
    tx.add_voter_token(&token, participant.id, at).await?;
    tx.commit().await?;
    Ok(Some(Joined { participant, token }))
}

/// The participant a phone's token names, while the meeting is open to phones at `at`.
pub async fn voter(
    store: &Store,
    token: &str,
    at: Timestamp,
) -> Result<Option<Participant>, AppError> {
    Ok(store.voter_by_token(token, at).await?)
}

/// Opens the meeting to phones for [`PHONES_OPEN_SECONDS`] from `at`; answers until when.
pub async fn open_to_phones(
    store: &Store,
    meeting: &Meeting,
    at: Timestamp,
) -> Result<Timestamp, AppError> {
    let until = at.plus_seconds(PHONES_OPEN_SECONDS);
    let mut tx = store.begin().await?;
    tx.run_meeting_here(meeting.id).await?;
    tx.set_phones_open_until(meeting.id, until).await?;
    tx.commit().await?;
    Ok(until)
}

/// Closes the meeting to phones at `at`: no code joins and no phone votes after it.
pub async fn close_to_phones(
    store: &Store,
    meeting: &Meeting,
    at: Timestamp,
) -> Result<(), AppError> {
    if store.phones_open_until(meeting.id).await?.is_none() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    tx.set_phones_open_until(meeting.id, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a question of choice, closed until the facilitator opens it: a prompt and two options
/// at least. It takes the next position, read under the meeting's lock.
pub async fn add_question(
    store: &Store,
    id: Id<Question>,
    meeting: &Meeting,
    prompt: &str,
    options: Vec<String>,
) -> Result<Question, AppError> {
    let options: Vec<String> = options
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    if options.len() < 2 || prompt.trim().is_empty() {
        return Err(Refusal::new("meeting.question").into());
    }
    let mut tx = store.begin().await?;
    let position = tx.lock_questions(meeting.id).await?.len() as i64 + 1;
    let question = Question {
        id,
        meeting_id: meeting.id,
        position,
        kind: QuestionKind::Choice,
        prompt: prompt.trim().to_owned(),
        options,
        finding_id: None,
        open: false,
    };
    tx.insert_question(&question).await?;
    tx.commit().await?;
    Ok(question)
}

/// Puts every finding of the community not yet asked to the room, one validation question
/// each, closed until the facilitator opens it; answers the questions added.
pub async fn put_findings(
    store: &Store,
    meeting: &Meeting,
    mut new_id: impl FnMut() -> Id<Question>,
) -> Result<Vec<Question>, AppError> {
    let findings = store.findings(meeting.community_id).await?;
    let mut tx = store.begin().await?;
    let asked = tx.lock_questions(meeting.id).await?;
    let mut position = asked.len() as i64;
    let mut added = Vec::new();
    for finding in findings {
        if asked.iter().any(|q| q.finding_id == Some(finding.id)) {
            continue;
        }
        position += 1;
        let question = Question::validation_of(new_id(), meeting.id, position, &finding, false);
        tx.insert_question(&question).await?;
        added.push(question);
    }
    tx.commit().await?;
    Ok(added)
}

/// The meeting's question of that id.
async fn question_of(
    store: &Store,
    meeting: &Meeting,
    question: Id<Question>,
) -> Result<Question, AppError> {
    store
        .questions(meeting.id)
        .await?
        .into_iter()
        .find(|q| q.id == question)
        .ok_or_else(|| StoreError::not_found("missing.question", question).into())
}

/// Opens a question to votes (and the meeting to phones, if it was not: the room votes on
/// it from `at`), or closes it.
pub async fn set_open(
    store: &Store,
    meeting: &Meeting,
    question: Id<Question>,
    open: bool,
    at: Timestamp,
) -> Result<(), AppError> {
    let q = question_of(store, meeting, question).await?;
    let phones_closed = store
        .phones_open_until(meeting.id)
        .await?
        .is_none_or(|until| until <= at);
    let mut tx = store.begin().await?;
    tx.set_question_open(q.id, open).await?;
    if open && phones_closed {
        tx.run_meeting_here(meeting.id).await?;
        tx.set_phones_open_until(meeting.id, at.plus_seconds(PHONES_OPEN_SECONDS))
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A phone's vote: the participant its token names while the meeting is open to phones (else
/// `vote.closed`); voting again replaces the ballot. The store refuses a closed question,
/// another meeting's, or an option not of the question.
pub async fn vote(
    store: &Store,
    token: &str,
    question: Id<Question>,
    option: String,
    at: Timestamp,
) -> Result<(), AppError> {
    let Some(me) = store.voter_by_token(token, at).await? else {
        return Err(Refusal::new("vote.closed").into());
    };
    let ballot = Ballot {
        question_id: question,
        participant_id: me.id,
        option,
        cast_at: at,
    };
    let mut tx = store.begin().await?;
    tx.cast_ballot(&ballot).await?;
    tx.commit().await?;
    Ok(())
}

/// Votes counted on paper or by show of hands, entered by the facilitator and marked as such.
pub async fn add_count(
    store: &Store,
    meeting: &Meeting,
    votes: CountedVotes,
) -> Result<(), AppError> {
    let q = question_of(store, meeting, votes.question_id).await?;
    if !q.options.contains(&votes.option) || votes.source == BallotSource::Phone || votes.count == 0
    {
        return Err(Refusal::new("meeting.count").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_counted_votes(&votes).await?;
    tx.commit().await?;
    Ok(())
}

/// A decision of the meeting in its own words (a next step, the priorities or localities it
/// adopted), for the minutes. Blank text is refused.
pub async fn record_decision(
    store: &Store,
    meeting: &Meeting,
    id: Id<Decision>,
    kind: DecisionKind,
    text: &str,
    taken_by: &str,
) -> Result<Decision, AppError> {
    if text.trim().is_empty() {
        return Err(Refusal::new("meeting.decision_text").into());
    }
    let decision = Decision {
        id,
        meeting_id: meeting.id,
        kind,
        text: text.trim().to_owned(),
        taken_by: taken_by.trim().to_owned(),
    };
    let mut tx = store.begin().await?;
    tx.insert_decision(&decision).await?;
    tx.commit().await?;
    Ok(decision)
}

/// What the room decided of a finding once its vote is closed.
pub struct Outcome<'a> {
    pub question: Id<Question>,
    pub status: ValidationStatus,
    /// The new wording, required when amended.
    pub wording: &'a str,
    /// Why, required when rejected.
    pub reason: &'a str,
}

/// Records what the meeting decided of a finding: the finding's status (and its new wording
/// when amended) and a decision in the minutes, written in `tr`'s language, with the counts
/// and the reason. Refused while the vote is open, for a question that is no finding's, an
/// amendment without wording or a rejection without reason.
pub async fn decide_finding(
    store: &Store,
    tr: Tr,
    meeting: &Meeting,
    id: Id<Decision>,
    o: Outcome<'_>,
) -> Result<(Id<Finding>, Decision), AppError> {
    let refused = || AppError::from(Refusal::new("meeting.decision"));
    let q = question_of(store, meeting, o.question)
        .await
        .map_err(|_| refused())?;
    let finding = q.finding_id.ok_or_else(refused)?;
    let wording = o.wording.trim();
    let reason = o.reason.trim();
    let valid = match o.status {
        ValidationStatus::Validated => true,
        ValidationStatus::Amended => !wording.is_empty(),
        ValidationStatus::Rejected => !reason.is_empty(),
        ValidationStatus::Pending => false,
    };
    if q.open || !valid {
        return Err(refused());
    }
    let participants = store.participants(meeting.id).await?;
    let ballots = store.ballots(meeting.id).await?;
    let counted = store.counted_votes(meeting.id).await?;
    let t = tally(&q, &ballots, &participants, &counted);
    let counts: Vec<String> = t
        .overall
        .iter()
        .map(|row| format!("{} {}", option_label(tr, &q, &row.option), row.total()))
        .collect();
    let mut text = format!(
        "« {} » : {} ({}).",
        q.prompt,
        tr.t(o.status.label_key()),
        counts.join(", ")
    );
    if o.status == ValidationStatus::Amended {
        text.push_str(&format!(
            " {} : « {wording} ».",
            tr.t("minutes.amended_wording")
        ));
    }
    if !reason.is_empty() {
        text.push_str(&format!(" {} : {reason}.", tr.t("meeting.reason")));
    }
    let decision = Decision {
        id,
        meeting_id: meeting.id,
        kind: DecisionKind::FindingValidation,
        text,
        taken_by: tr.t("meeting.plenary").to_owned(),
    };
    let mut tx = store.begin().await?;
    tx.set_finding_validation(
        finding,
        o.status,
        (o.status == ValidationStatus::Amended).then_some(wording),
    )
    .await?;
    tx.insert_decision(&decision).await?;
    tx.commit().await?;
    Ok((finding, decision))
}

/// Everything the minutes of a meeting show.
pub async fn meeting_minutes(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    meeting: &sigida_core::meeting::Meeting,
    generated_on: time::Date,
) -> Result<sigida_report::minutes::MeetingMinutes, StoreError> {
    Ok(sigida_report::minutes::MeetingMinutes {
        diagnostic: diagnostic.clone(),
        community: community.clone(),
        meeting: meeting.clone(),
        participants: store.participants(meeting.id).await?,
        questions: store.questions(meeting.id).await?,
        ballots: store.ballots(meeting.id).await?,
        counted: store.counted_votes(meeting.id).await?,
        decisions: store.decisions(meeting.id).await?,
        findings: store.findings(community.id).await?,
        generated_on,
    })
}
