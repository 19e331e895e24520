//! The participants' phones: no account, a code, reached at `/v` on the laptop's Wi-Fi.

use crate::AppState;
use crate::http::auth::{cookie, language};
use crate::http::error::{WebError, shown_refusal};
use crate::http::layout;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_app::AppError;
use sigida_app::meetings;
use sigida_core::Timestamp;
use sigida_core::meeting::{Participant, Question};
use sigida_report::Tr;
use sigida_report::minutes::option_label;

// ---- The participants' phones: no account, a code. ----

/// The phone's cookie: the token it got for its code when it joined (never the code).
const VOTER_COOKIE: &str = "sigida_voter";

/// The participant of this phone, while the meeting is open to phones.
async fn voter_of(state: &AppState, headers: &HeaderMap) -> Result<Option<Participant>, WebError> {
    match cookie(headers, VOTER_COOKIE) {
        Some(token) => Ok(meetings::voter(&state.store, token, Timestamp::now()).await?),
        None => Ok(None),
    }
}

/// Why the code form is shown again.
enum Failed {
    No,
    UnknownCode,
    Wait(u64),
}

fn code_form(tr: Tr, failed: Failed) -> Markup {
    layout::public_page(
        tr,
        tr.t("vote.title"),
        html! {
            h1 { (tr.t("vote.title")) }
            p.lead { (tr.t("vote.intro")) }
            form.stack method="post" action="/v" {
                @match failed {
                    Failed::No => {}
                    Failed::UnknownCode => p.alert role="alert" { (tr.t("vote.unknown_code")) },
                    Failed::Wait(n) => p.alert role="alert" { (tr.t("vote.wait").replace("{n}", &n.to_string())) },
                }
                label { (tr.t("vote.code")) input name="code" autocomplete="off" autocapitalize="characters" required autofocus inputmode="text" maxlength="12"; }
                button.primary type="submit" { (tr.t("vote.enter")) }
            }
        },
    )
}

pub async fn phone_home(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if voter_of(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/v/ballot").into_response());
    }
    Ok(code_form(Tr::new(language(&headers)), Failed::No).into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

/// A phone joins with its code while the meeting is open to phones: the participant is checked
/// in (if the register had not done it) and the phone keeps a token for the meeting's day.
/// Wrong codes are counted by address and slow the next tries (`http::login_guard`).
pub async fn phone_join(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let tr = Tr::new(language(&headers));
    let address = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Err(crate::http::login_guard::Refusal::Wait(wait)) =
        state.login_guard.check_code(address)
    {
        let seconds = wait.as_secs().max(1);
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            code_form(tr, Failed::Wait(seconds)),
        )
            .into_response();
        if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    // A code is six characters: anything longer is no code, refused unread.
    let joined = if form.code.len() > 32 {
        None
    } else {
        meetings::join(&state.store, &form.code, Timestamp::now()).await?
    };
    let Some(joined) = joined else {
        state.login_guard.code_failed(address);
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            code_form(tr, Failed::UnknownCode),
        )
            .into_response());
    };
    let seconds = meetings::PHONES_OPEN_SECONDS;
    let cookie = format!(
        "{VOTER_COOKIE}={}; Path=/v; HttpOnly; SameSite=Lax; Max-Age={seconds}",
        joined.token
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/v/ballot")).into_response())
}

#[derive(Deserialize, Default)]
pub struct Voted {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    refused: Option<String>,
}

/// The open questions on a phone, with the answer already given.
pub async fn phone_ballot(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(voted): Query<Voted>,
) -> Result<Response, WebError> {
    let tr = Tr::new(language(&headers));
    let Some(me) = voter_of(&state, &headers).await? else {
        return Ok(Redirect::to("/v").into_response());
    };
    let open: Vec<Question> = state
        .store
        .questions(me.meeting_id)
        .await?
        .into_iter()
        .filter(|q| q.open)
        .collect();
    let ballots = state.store.ballots(me.meeting_id).await?;
    let mine = |q: &Question| {
        ballots
            .iter()
            .find(|b| b.question_id == q.id && b.participant_id == me.id)
            .map(|b| b.option.clone())
    };
    let body = html! {
        h1 { (tr.t("vote.title")) }
        p.note { (tr.t("vote.you_are")) " " strong { (me.check_code) } }
        @if voted.saved.is_some() { p.notice role="status" { (tr.t("vote.saved")) } }
        @if let Some(why) = shown_refusal(tr, voted.refused.as_deref()) { p.alert role="alert" { (why) } }
        @if open.is_empty() { p { (tr.t("vote.nothing_open")) } }
        @for q in &open {
            @let chosen = mine(q);
            form.stack.ballot method="post" action="/v/ballot" {
                input type="hidden" name="question" value=(q.id);
                fieldset {
                    legend { (q.prompt) }
                    @for o in &q.options {
                        label.choice {
                            input type="radio" name="option" value=(o) required checked[chosen.as_deref() == Some(o.as_str())];
                            " " (option_label(tr, q, o))
                        }
                    }
                }
                button.primary type="submit" { (tr.t(if chosen.is_some() { "vote.change" } else { "vote.submit" })) }
            }
        }
        p { a href="/v/ballot" { (tr.t("vote.refresh")) } }
    };
    Ok(layout::public_page(tr, tr.t("vote.title"), body).into_response())
}

#[derive(Deserialize)]
pub struct BallotForm {
    question: String,
    option: String,
}

pub async fn phone_vote(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<BallotForm>,
) -> Result<Response, WebError> {
    let Some(token) = cookie(&headers, VOTER_COOKIE) else {
        return Ok(Redirect::to("/v").into_response());
    };
    let Ok(question) = form.question.parse() else {
        return Ok(Redirect::to("/v/ballot").into_response());
    };
    match meetings::vote(&state.store, token, question, form.option, Timestamp::now()).await {
        Ok(()) => Ok(Redirect::to("/v/ballot?saved=1").into_response()),
        Err(AppError::Refused(r)) if r.code == "vote.closed" => {
            Ok(Redirect::to("/v").into_response())
        }
        Err(AppError::Refused(r)) => {
            Ok(Redirect::to(&format!("/v/ballot?refused={}", r.code)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
