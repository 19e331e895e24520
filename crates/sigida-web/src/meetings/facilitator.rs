//! A consultative meeting as it runs: the facilitator's screen (register, inclusion check,
//! questions, live results, votes counted on paper or by hand) and the participants' phone
//! pages, reached at `/v` on the laptop's Wi-Fi with the code the register gave them — no
//! account. A phone keeps its code in a cookie; voting again on a question replaces the ballot.

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::{WebError, shown_refusal};
use crate::http::layout;
use crate::http::routes::Loaded;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_app::AppError;
use sigida_app::meetings;
use sigida_core::access::Permission;
use sigida_core::actors::{GroupKind, Level, StakeholderType};
use sigida_core::finding::ValidationStatus;
use sigida_core::meeting::{
    AgeGroup, BallotSource, CountedVotes, DecisionKind, Inclusion, Meeting, Participant, Question,
    QuestionKind, Sex, VALIDATION_OPTIONS, tally,
};
use sigida_core::{Id, Timestamp};
use sigida_report::minutes::{option_label, tally_tables};
use sigida_report::{Tr, format};
use sigida_store::StoreError;

/// The results of every question, as the facilitator's screen shows them and refreshes them.
fn results(tr: Tr, questions: &[Question], data: &MeetingData) -> Markup {
    // The questions being voted on first: they are what the room watches.
    let ordered = questions
        .iter()
        .filter(|q| q.open)
        .chain(questions.iter().filter(|q| !q.open));
    html! {
        @for q in ordered {
            section.question id={"q-" (q.id)} {
                h3 { (q.prompt) " "
                    span class={"tag " (if q.open { "convergent" } else { "" })} {
                        (tr.t(if q.open { "meeting.open" } else { "meeting.closed" }))
                    }
                }
                (tally_tables(tr, q, &tally(q, &data.ballots, &data.participants, &data.counted)))
            }
        }
    }
}

struct MeetingData {
    participants: Vec<Participant>,
    ballots: Vec<sigida_core::meeting::Ballot>,
    counted: Vec<CountedVotes>,
}

async fn meeting_data(state: &AppState, meeting: &Meeting) -> Result<MeetingData, StoreError> {
    Ok(MeetingData {
        participants: state.store.participants(meeting.id).await?,
        ballots: state.store.ballots(meeting.id).await?,
        counted: state.store.counted_votes(meeting.id).await?,
    })
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    refused: Option<String>,
}

/// The facilitator's screen.
pub async fn meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Loaded(meeting): Loaded<Meeting>,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Query(shown): Query<Shown>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let questions = state.store.questions(meeting.id).await?;
    let data = meeting_data(&state, &meeting).await?;
    let phones_until = state
        .store
        .phones_open_until(meeting.id)
        .await?
        .filter(|until| *until > Timestamp::now());
    let inclusion = Inclusion::of(&data.participants);
    // The names of the register, for those who may erase one at the person's request (each
    // showing audited).
    let named: Vec<&Participant> = data
        .participants
        .iter()
        .filter(|p| p.name.is_some())
        .collect();
    let show_names = viewer.may(Permission::ErasePersonalData)
        && !named.is_empty()
        && viewer
            .reveal_personal_data(
                &state,
                &format!("meeting:{}", meeting.id),
                "noms du registre",
            )
            .await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:8080");
    // Beside a TLS listener, phones have a plain one of their own on another port.
    let phones_host = match state.reached.phones_port {
        Some(port) => {
            let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
            format!("{name}:{port}")
        }
        None => host.to_owned(),
    };
    let share = |n: usize| format::percent(tr, inclusion.share(n).map(|p| p / 100.0));
    let action = |tail: &str| format!("/meetings/{}/{tail}", meeting.id);
    let slug = community.slug;
    let body = html! {
        p.note {
            (format::date(tr, meeting.date)) " · " (meeting.place)
            @if !meeting.facilitators.is_empty() { " · " (meeting.facilitators) }
        }
        h1 { (meeting.title) }
        div.join {
            p { (tr.t("meeting.join")) }
            p.join-url { "http://" (phones_host) "/v" }
            @if let Some(fingerprint) = &state.reached.tls_fingerprint {
                p.note { (tr.t("meeting.tls_fingerprint")) " " code { (fingerprint) } }
            }
            form.inline method="post" action=(action(if phones_until.is_some() { "phones/close" } else { "phones/open" })) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                @match phones_until {
                    Some(until) => {
                        span role="status" { (tr.t("meeting.phones_open").replace("{time}", &format!("{} {:02}:{:02} UTC", format::date(tr, until.date()), until.datetime().hour(), until.datetime().minute()))) } " "
                        button type="submit" { (tr.t("meeting.phones_close_button")) }
                    }
                    None => {
                        span role="status" { (tr.t("meeting.phones_closed")) } " "
                        button.primary type="submit" { (tr.t("meeting.phones_open_button")) }
                    }
                }
            }
        }
        @if let Some(code) = &shown.code {
            p.join-code role="status" { (tr.t("meeting.new_code")) " " strong { (code) } }
        }
        @if let Some(why) = shown_refusal(tr, shown.refused.as_deref()) { p.alert role="alert" { (why) } }
        h2 { (tr.t("meeting.attendance")) }
        div.cards {
            div.card { span.figure { (inclusion.present) } span.label { (tr.t("meeting.present")) } }
            div.card { span.figure { (share(inclusion.women)) } span.label { (tr.t("meeting.women")) } }
            div.card { span.figure { (share(inclusion.youth)) } span.label { (tr.t("meeting.youth")) } }
            div.card { span.figure { (share(inclusion.migrants_or_returnees)) } span.label { (tr.t("meeting.migrants")) } }
        }
        details {
            summary { (tr.t("meeting.register")) }
            form.stack method="post" action=(action("participants")) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("meeting.name_optional")) input name="name" autocomplete="off"; }
                label { (tr.t("meeting.sex"))
                    select name="sex" required { @for s in Sex::ALL { option value=(s.code()) { (tr.t(s.label_key())) } } } }
                label { (tr.t("meeting.age_group"))
                    select name="age_group" required { @for a in AgeGroup::ALL { option value=(a.code()) { (tr.t(a.label_key())) } } } }
                label { (tr.t("community.groups"))
                    select name="group" { option value="" { "—" } @for g in GroupKind::ALL { option value=(g.code()) { (tr.t(g.label_key())) } } } }
                label { (tr.t("meeting.stakeholder"))
                    select name="stakeholder_type" { option value="" { "—" } @for s in StakeholderType::ALL { option value=(s.code()) { (tr.t(s.label_key())) } } } }
                label { (tr.t("meeting.organisation")) input name="organisation"; }
                label.check { input type="checkbox" name="consent" value="yes" required; " " (tr.t("meeting.consent")) }
                button.primary type="submit" { (tr.t("meeting.check_in")) }
            }
        }
        @if show_names {
            details {
                summary { (tr.t("meeting.erase_title")) }
                p.note { (tr.t("meeting.erase_note")) }
                @for p in &named {
                    form.inline method="post" action=(action("erase")) {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="participant" value=(p.id);
                        span { (p.name.as_ref().map(|n| n.expose().as_str()).unwrap_or("")) " " }
                        label.choice { input type="checkbox" name="confirm" value="yes" required; (tr.t("actors.erase_confirm")) }
                        button type="submit" { (tr.t("actors.erase_title")) }
                    }
                }
            }
        }
        h2 { (tr.t("meeting.questions")) }
        @for q in &questions {
            div class={"question-actions" (if q.open { " is-open" } else { "" })} {
                form.inline method="post" action=(action(&format!("questions/{}/{}", q.id, if q.open { "close" } else { "open" }))) {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    strong { (q.prompt) } " "
                    button type="submit" { (tr.t(if q.open { "meeting.close" } else { "meeting.open_vote" })) }
                }
                @if q.kind == QuestionKind::FindingValidation && !q.open {
                    details {
                        summary { (tr.t("meeting.decide")) }
                        form.stack method="post" action=(action(&format!("questions/{}/decide", q.id))) {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            label { (tr.t("minutes.outcome"))
                                select name="outcome" {
                                    @for o in VALIDATION_OPTIONS { option value=(o) { (option_label(tr, q, o)) } }
                                } }
                            label { (tr.t("minutes.amended_wording")) textarea name="wording" rows="2" {} }
                            label { (tr.t("meeting.reason")) input name="reason"; }
                            button type="submit" { (tr.t("meeting.record_decision")) }
                        }
                    }
                }
                details {
                    summary { (tr.t("meeting.count")) }
                    form.stack method="post" action=(action(&format!("questions/{}/counts", q.id))) {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        label { (tr.t("meeting.option"))
                            select name="option" { @for o in &q.options { option value=(o) { (option_label(tr, q, o)) } } } }
                        label { (tr.t("meeting.votes")) input type="number" name="count" min="1" required; }
                        label { (tr.t("meeting.counted_how"))
                            select name="source" {
                                option value="paper" { (tr.t("ballot_source.paper")) }
                                option value="show_of_hands" { (tr.t("ballot_source.show_of_hands")) }
                            } }
                        label { (tr.t("community.groups"))
                            select name="group" { option value="" { "—" } @for g in GroupKind::ALL { option value=(g.code()) { (tr.t(g.label_key())) } } } }
                        button type="submit" { (tr.t("meeting.add_count")) }
                    }
                }
            }
        }
        p {
            a href=(action("priorities")) { (tr.t("priorities.title")) " →" } " · "
            a href=(action("selection")) { (tr.t("selection.title")) " →" }
        }
        form.inline method="post" action=(action("findings")) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            button type="submit" { (tr.t("meeting.put_findings")) }
        }
        details {
            summary { (tr.t("meeting.new_question")) }
            form.stack method="post" action=(action("questions")) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("meeting.prompt")) input name="prompt" required; }
                label { (tr.t("meeting.options_lines")) textarea name="options" rows="4" required {} }
                button type="submit" { (tr.t("meeting.add_question")) }
            }
        }
        details {
            summary { (tr.t("meeting.next_step")) }
            form.stack method="post" action=(action("decisions")) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("meeting.next_step_text")) textarea name="text" rows="2" required {} }
                label { (tr.t("minutes.taken_by")) input name="taken_by"; }
                button type="submit" { (tr.t("meeting.record_decision")) }
            }
        }
        @if viewer.may(Permission::DownloadReports) {
            p {
                (tr.t("minutes.download")) " "
                @let stem = sigida_report::minutes::file_stem(&meeting);
                a href={"/reports/" (slug) "/reunions/" (stem) ".html"} { "HTML" } " · "
                a href={"/reports/" (slug) "/reunions/" (stem) ".pdf"} { "PDF" }
            }
        }
        h2 { (tr.t("meeting.results")) }
        div id="results" data-refresh=(action("results")) { (results(tr, &questions, &data)) }
        script src="/assets/live.js" defer {}
    };
    Ok(layout::page(
        &viewer,
        "/communities",
        &meeting.title,
        diagnostic.synthetic,
        body,
    ))
}

/// The results alone, for the facilitator's screen to refresh every few seconds.
pub async fn meeting_results(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
) -> Result<Markup, WebError> {
    let questions = state.store.questions(meeting.id).await?;
    let data = meeting_data(&state, &meeting).await?;
    Ok(results(viewer.tr, &questions, &data))
}

/// The script that refreshes the results: a dozen lines, the page works without it.
pub async fn live_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../assets/live.js"),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct Registration {
    csrf: String,
    #[serde(default)]
    name: String,
    sex: String,
    age_group: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    stakeholder_type: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    consent: Option<String>,
}

fn back(meeting: &Meeting, query: &str) -> Response {
    Redirect::to(&format!("/meetings/{}?{query}", meeting.id)).into_response()
}

/// Back to the meeting's screen, with the refusal's code when the use-case refused.
fn answered<T>(meeting: &Meeting, result: Result<T, AppError>) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(back(meeting, "")),
        Err(AppError::Refused(r)) => Ok(refused(meeting, r.code)),
        Err(e) => Err(e.into()),
    }
}

fn refused(meeting: &Meeting, code: &str) -> Response {
    back(meeting, &format!("refused={code}"))
}

/// Registers a participant as they arrive (checked in at once) and shows their code.
pub async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Form(form): Form<Registration>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let (Ok(sex), Ok(age_group)) = (form.sex.parse::<Sex>(), form.age_group.parse::<AgeGroup>())
    else {
        return Ok(refused(&meeting, "meeting.register"));
    };
    let arrival = meetings::Arrival {
        id: Id::new(),
        meeting_id: meeting.id,
        name: Some(form.name),
        sex,
        age_group,
        stakeholder_type: form.stakeholder_type.parse().ok(),
        group: form.group.parse().ok(),
        organisation: form.organisation,
        consent: form.consent.is_some(),
        at: Timestamp::now(),
        code: rand::random(),
    };
    let code = match meetings::register(&state.store, arrival).await {
        Ok(participant) => participant.check_code,
        Err(AppError::Refused(r)) => return Ok(refused(&meeting, r.code)),
        Err(e) => return Err(e.into()),
    };
    Ok(back(&meeting, &format!("code={code}")))
}

#[derive(Deserialize)]
pub struct NewQuestion {
    csrf: String,
    prompt: String,
    options: String,
}

pub async fn add_question(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Form(form): Form<NewQuestion>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let added = meetings::add_question(
        &state.store,
        Id::new(),
        &meeting,
        &form.prompt,
        meetings::lines(&form.options),
    )
    .await;
    answered(&meeting, added)
}

#[derive(Deserialize)]
pub struct Csrf {
    csrf: String,
}

pub async fn set_open(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Path((_, question, verb)): Path<(String, String, String)>,
    Form(form): Form<Csrf>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let open = match verb.as_str() {
        "open" => true,
        "close" => false,
        _ => return Err(viewer.not_found()),
    };
    let question = question.parse().map_err(|_| viewer.not_found())?;
    match meetings::set_open(&state.store, &meeting, question, open, Timestamp::now()).await {
        Err(AppError::Store(StoreError::NotFound { .. })) => Err(viewer.not_found()),
        done => answered(&meeting, done),
    }
}

#[derive(Deserialize)]
pub struct Erasure {
    csrf: String,
    participant: String,
    #[serde(default)]
    confirm: String,
}

/// A participant's name and code erased at their request; they stay in the register's counts.
pub async fn erase_participant(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Form(form): Form<Erasure>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let participants = state.store.participants(meeting.id).await?;
    let Some(participant) = participants
        .iter()
        .find(|p| p.id.to_string() == form.participant.trim())
    else {
        return Err(viewer.not_found());
    };
    if form.confirm != "yes" {
        return Ok(refused(&meeting, "register.confirm"));
    }
    sigida_app::register::erasure::erase(
        &state.store,
        sigida_store::Erasable::Participant,
        &participant.id.to_string(),
        Some(&viewer.user.username),
        Timestamp::now(),
    )
    .await?;
    Ok(back(&meeting, "saved=1"))
}

/// Opens the meeting to phones (for a meeting's day) or closes it to them.
pub async fn set_phones(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Path((_, verb)): Path<(String, String)>,
    Form(form): Form<Csrf>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let now = Timestamp::now();
    match verb.as_str() {
        "open" => answered(
            &meeting,
            meetings::open_to_phones(&state.store, &meeting, now).await,
        ),
        "close" => answered(
            &meeting,
            meetings::close_to_phones(&state.store, &meeting, now).await,
        ),
        _ => Err(viewer.not_found()),
    }
}

#[derive(Deserialize)]
pub struct Count {
    csrf: String,
    option: String,
    count: u32,
    source: String,
    #[serde(default)]
    group: String,
}

/// Votes counted on paper or by show of hands, entered by the facilitator and marked as such.
pub async fn add_count(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Path((_, question)): Path<(String, String)>,
    Form(form): Form<Count>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let (Ok(question), Ok(source)) = (question.parse(), form.source.parse::<BallotSource>()) else {
        return Ok(refused(&meeting, "meeting.count"));
    };
    let counted = meetings::add_count(
        &state.store,
        &meeting,
        CountedVotes {
            id: Id::new(),
            question_id: question,
            option: form.option,
            count: form.count,
            source,
            group: form.group.parse().ok(),
            entered_at: Timestamp::now(),
        },
    )
    .await;
    match counted {
        Err(AppError::Store(StoreError::NotFound { .. })) => Ok(refused(&meeting, "meeting.count")),
        other => answered(&meeting, other),
    }
}

/// Records what the meeting adopted — its choice and the weights it agreed — as a decision of
/// the plenary, and goes back to the meeting's screen.
pub(crate) async fn record_adoption(
    state: &AppState,
    viewer: &Viewer,
    meeting: &Meeting,
    csrf: &str,
    kind: DecisionKind,
    [adopted_key, adopted, weights_key, weights]: [&str; 4],
) -> Result<Response, WebError> {
    viewer.check_csrf(csrf)?;
    let tr = viewer.tr;
    let text = format!(
        "{} : {adopted}. {} : {weights}.",
        tr.t(adopted_key),
        tr.t(weights_key)
    );
    let recorded = meetings::record_decision(
        &state.store,
        meeting,
        Id::new(),
        kind,
        &text,
        tr.t("meeting.plenary"),
    )
    .await;
    answered(meeting, recorded)
}

#[derive(Deserialize)]
pub struct NewMeeting {
    csrf: String,
    title: String,
    level: String,
    date: String,
    place: String,
    #[serde(default)]
    facilitators: String,
    #[serde(default)]
    agenda: String,
}

/// Creates a meeting of the community and opens its screen.
pub async fn create_meeting(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic: _,
        community,
    }: InCommunity,
    Form(form): Form<NewMeeting>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let date = time::Date::parse(
        form.date.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    );
    let (Ok(date), Ok(level)) = (date, form.level.parse::<Level>()) else {
        return Ok(Redirect::to(&format!("/communities/{}", community.slug)).into_response());
    };
    let created = meetings::create_meeting(
        &state.store,
        Meeting {
            id: Id::new(),
            community_id: community.id,
            level,
            title: form.title,
            date,
            place: form.place,
            facilitators: form.facilitators,
            agenda: meetings::lines(&form.agenda),
        },
    )
    .await;
    match created {
        Ok(meeting) => Ok(Redirect::to(&format!("/meetings/{}", meeting.id)).into_response()),
        Err(AppError::Refused(_)) => {
            Ok(Redirect::to(&format!("/communities/{}", community.slug)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NextStep {
    csrf: String,
    text: String,
    #[serde(default)]
    taken_by: String,
}

/// A decision or next step the meeting agrees, in its words, for the minutes.
pub async fn add_next_step(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Form(form): Form<NextStep>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    if form.text.trim().is_empty() {
        return Ok(back(&meeting, ""));
    }
    let taken_by = Some(form.taken_by.trim())
        .filter(|t| !t.is_empty())
        .unwrap_or(viewer.tr.t("meeting.plenary"));
    let recorded = meetings::record_decision(
        &state.store,
        &meeting,
        Id::new(),
        DecisionKind::NextStep,
        &form.text,
        taken_by,
    )
    .await;
    answered(&meeting, recorded)
}

/// Puts every finding of the community not yet asked to the room, one validation question
/// each, closed until the facilitator opens it.
pub async fn put_findings(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Form(form): Form<Csrf>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let put = meetings::put_findings(&state.store, &meeting, Id::new).await;
    answered(&meeting, put)
}

#[derive(Deserialize)]
pub struct Outcome {
    csrf: String,
    outcome: String,
    #[serde(default)]
    wording: String,
    #[serde(default)]
    reason: String,
}

/// What the meeting decided of a finding, once its vote is closed: the finding's status (and
/// its new wording when amended) and a decision in the minutes with the counts and the reason.
pub async fn decide_finding(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Path((_, question)): Path<(String, String)>,
    Form(form): Form<Outcome>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let (Ok(question), Ok(status)) = (question.parse(), form.outcome.parse::<ValidationStatus>())
    else {
        return Ok(refused(&meeting, "meeting.decision"));
    };
    let decided = meetings::decide_finding(
        &state.store,
        viewer.tr,
        &meeting,
        Id::new(),
        meetings::Outcome {
            question,
            status,
            wording: &form.wording,
            reason: &form.reason,
        },
    )
    .await;
    answered(&meeting, decided)
}
