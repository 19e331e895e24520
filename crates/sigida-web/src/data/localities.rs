//! Where an instrument's answers were given: the question that names the place and the table
//! that maps its answers to the diagnostic's localities. Answers that are a locality's slug,
//! name or P-code map themselves; the analyst maps the rest; those mapped to nothing are listed.

use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sigida_app::AppError;
use sigida_app::analysis::localities::{Match, answer_table, save_mapping};
use sigida_core::Timestamp;
use sigida_core::access::Permission;
use sigida_core::instrument::Instrument;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::{Fields, Refused};
use crate::http::layout;
use crate::http::routes::Loaded;

#[derive(Deserialize, Default)]
pub struct Asked {
    #[serde(default)]
    question: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// A question's label short enough for a drop-down on a phone.
fn short(label: &str) -> String {
    const MAX: usize = 70;
    if label.chars().count() <= MAX {
        return label.to_owned();
    }
    let cut: String = label.chars().take(MAX).collect();
    format!("{cut}…")
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    instrument: &Instrument,
    question: Option<&str>,
    saved: bool,
    refused: Option<Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let table = answer_table(
        &state.store,
        &diagnostic,
        instrument,
        question,
        tr.lang.code(),
    )
    .await?;
    let edit = viewer.may(Permission::EditAnalysis);
    let unmapped: Vec<_> = table.unmapped().collect();
    let place_name = |id| {
        table
            .places
            .iter()
            .find(|p| p.id == id)
            .map_or(String::new(), |p| p.name.clone())
    };
    let base = format!("/instruments/{}/localities", instrument.id);
    let body = html! {
        p.note { a href={"/instruments/" (instrument.id)} { "← " (instrument.name) } }
        h1 { (tr.t("localities.title")) " — " (instrument.name) }
        p.lead { (tr.t("localities.lead")) }
        @if saved { p.note role="status" { (tr.t("register.saved")) } }
        @if let Some(r) = &refused { p.alert role="alert" { (r.text) } }
        form.filters method="get" action=(base) {
            label { (tr.t("localities.question"))
                select name="question" {
                    @for (name, label) in &table.questions {
                        option value=(name) selected[table.question.as_deref() == Some(name.as_str())] { (short(label)) }
                    }
                }
            }
            button type="submit" { (tr.t("localities.show")) }
        }
        @if table.question.is_none() { p.alert { (tr.t("localities.none_found")) } }
        @if !unmapped.is_empty() {
            p.alert role="alert" { (tr.with_n("localities.unmapped", unmapped.len() as u64)) " "
                @for (i, a) in unmapped.iter().enumerate() { @if i > 0 { ", " } code { (a.answer) } } }
        }
        @if let Some(question) = &table.question {
            form.stacked.wide method="post" action=(base) {
                input type="hidden" name="csrf" value=(viewer.csrf);
                input type="hidden" name="question" value=(question);
                div.table-wrap { table.stack {
                    thead { tr {
                        th scope="col" { (tr.t("localities.answer")) }
                        th scope="col" class="num" { (tr.t("localities.rows")) }
                        th scope="col" { (tr.t("localities.locality")) }
                    } }
                    tbody { @for (i, a) in table.answers.iter().enumerate() { tr {
                        th scope="row" data-label=(tr.t("localities.answer")) { code { (a.answer) }
                            input type="hidden" name={"answer_" (i)} value=(a.answer); }
                        td.num data-label=(tr.t("localities.rows")) { (a.rows) }
                        td data-label=(tr.t("localities.locality")) {
                            @match a.locality {
                                Some((id, Match::Itself)) => { (place_name(id)) " " span.tag { (tr.t("localities.itself")) } }
                                _ => @if edit {
                                    select name={"locality_" (i)} {
                                        option value="" { (tr.t("localities.not_mapped")) }
                                        @for p in &table.places {
                                            option value=(p.id) selected[a.locality.map(|(id, _)| id) == Some(p.id)] { (p.name) }
                                        }
                                    }
                                } @else {
                                    (a.locality.map(|(id, _)| place_name(id)).unwrap_or_else(|| tr.t("localities.not_mapped").to_owned()))
                                }
                            }
                        }
                    } } }
                } }
                @if edit { button.primary type="submit" { (tr.t("register.save")) } }
            }
        }
    };
    Ok(layout::page(
        viewer,
        "/instruments",
        tr.t("localities.title"),
        diagnostic.synthetic,
        body,
    )
    .into_response())
}

pub async fn localities(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Query(asked): Query<Asked>,
) -> Result<Response, WebError> {
    page(
        &state,
        &viewer,
        &instrument,
        asked.question.as_deref(),
        asked.saved.is_some(),
        None,
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(instrument): Loaded<Instrument>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let question = fields.get("question").to_owned();
    let mut mapping = Vec::new();
    for (key, answer) in &fields.0 {
        let Some(i) = key.strip_prefix("answer_") else {
            continue;
        };
        let locality = fields.get(&format!("locality_{i}"));
        let locality = match locality {
            "" => None,
            text => Some(text.parse().map_err(|_| viewer.not_found())?),
        };
        mapping.push((answer.clone(), locality));
    }
    match save_mapping(
        &state.store,
        &diagnostic,
        &instrument,
        &question,
        &mapping,
        Some(&viewer.user.username),
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/instruments/{}/localities?saved=1",
            instrument.id
        ))
        .into_response()),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            page(
                &state,
                &viewer,
                &instrument,
                Some(&question),
                false,
                Some(refused),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
