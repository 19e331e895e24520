//! The diagnostic's indicators as the analyst defines them: the list, a definition's form (an
//! instrument's question, option or expression; the measure; the design's columns proposed from
//! the form; the disaggregations; the theme), its preview on all the instrument's clean rows
//! before it is saved, its correction (the values are computed again: their provenance names
//! the definition) and its removal while no finding cites it.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_app::AppError;
use sigida_app::analysis::definitions::{self, IndicatorDraft, Preview};
use sigida_app::common::clean_data::latest_form;
use sigida_core::Id;
use sigida_core::access::Permission;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::Theme;
use sigida_core::indicator::{Indicator, IndicatorKind};
use sigida_core::instrument::Instrument;
use sigida_report::Tr;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::{Fields, Input, Posted, Refused, alert, field, form_page};

#[derive(Deserialize, Default)]
pub struct Chosen {
    #[serde(default)]
    instrument: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

/// Every indicator of the diagnostic, and the choice of an instrument for a new one.
pub async fn indicators(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(chosen): Query<Chosen>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let instruments = state.store.instruments(diagnostic.id).await?;
    let list = state.store.indicators(diagnostic.id).await?;
    let instrument_name = |id: Id<Instrument>| {
        instruments
            .iter()
            .find(|i| i.id == id)
            .map_or(String::new(), |i| i.name.clone())
    };
    let may_edit = viewer.may(Permission::EditAnalysis);
    let body = html! {
        h1 { (tr.t("definitions.title")) }
        @if chosen.saved.is_some() { p.note role="status" { (tr.t("definitions.saved")) } }
        p { (tr.t("definitions.intro")) }
        @if list.is_empty() { p.note { (tr.t("indicators.none")) } }
        @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("definitions.code")) }
                    th scope="col" { (tr.t("definitions.label")) }
                    th scope="col" { (tr.t("definitions.instrument")) }
                    th scope="col" { (tr.t("definitions.kind")) }
                    th scope="col" { (tr.t("definitions.question")) }
                } }
                tbody { @for i in &list { tr {
                    th scope="row" {
                        @if may_edit { a href={"/indicators/" (i.id)} { code { (i.code) } } }
                        @else { code { (i.code) } }
                    }
                    td data-label=(tr.t("definitions.label")) { (i.label) }
                    td data-label=(tr.t("definitions.instrument")) { (instrument_name(i.instrument_id)) }
                    td data-label=(tr.t("definitions.kind")) { (tr.t(i.kind.label_key())) }
                    td data-label=(tr.t("definitions.question")) { code { (i.question) }
                        @if let Some(o) = &i.option { " = " code { (o) } } }
                } } }
            } }
        }
        @if may_edit {
            h2 { (tr.t("definitions.new")) }
            @if instruments.is_empty() { p.note { (tr.t("definitions.no_instrument")) } }
            @else {
                form.stacked method="get" action="/indicators/new" {
                    label.field { span { (tr.t("definitions.instrument")) }
                        select name="instrument" {
                            @for i in &instruments { option value=(i.id) { (i.name) } }
                        }
                    }
                    button.primary type="submit" { (tr.t("definitions.next")) }
                }
            }
        }
    };
    Ok(form_page(
        &viewer,
        &diagnostic,
        tr.t("definitions.title"),
        body,
        false,
    ))
}

fn draft_of(fields: &Fields) -> IndicatorDraft {
    let opt = |name: &str| Some(fields.get(name).to_owned()).filter(|v| !v.is_empty());
    IndicatorDraft {
        code: fields.get("code").to_owned(),
        label: fields.get("label").to_owned(),
        theme: fields.get("theme").parse().ok(),
        instrument: fields.get("instrument").parse().ok(),
        kind: fields.get("kind").parse().ok(),
        question: fields.get("question").to_owned(),
        option: opt("option"),
        weight: opt("weight"),
        strata: opt("strata"),
        cluster: opt("cluster"),
        locality: fields.get("locality").to_owned(),
        by: fields
            .get("by")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

fn fields_of(i: &Indicator) -> Fields {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    Fields(vec![
        ("instrument".into(), i.instrument_id.to_string()),
        ("code".into(), i.code.clone()),
        ("label".into(), i.label.clone()),
        ("theme".into(), i.theme.code().into()),
        ("kind".into(), i.kind.code().into()),
        ("question".into(), i.question.clone()),
        ("option".into(), o(&i.option)),
        ("weight".into(), o(&i.weight_column)),
        ("strata".into(), o(&i.strata_column)),
        ("cluster".into(), o(&i.cluster_column)),
        ("locality".into(), i.locality_column.clone()),
        ("by".into(), i.by.join("\n")),
    ])
}

/// What the form shows beside the typed values: the refusal, the preview.
struct Shown<'a> {
    refused: Option<&'a Refused>,
    preview: Option<&'a Option<Preview>>,
}

fn preview_block(tr: Tr, preview: &Option<Preview>) -> Markup {
    html! {
        section.panel role="status" {
            h2 { (tr.t("definitions.preview")) }
            @match preview {
                None => p.note { (tr.t("definitions.no_data")) },
                Some(p) => {
                    p.headline {
                        strong { (sigida_report::indicators::value(tr, p.kind, p.estimate)) }
                        " " (sigida_report::indicators::interval_of(tr, p.kind, p.low, p.high))
                        " · n = " (sigida_report::format::integer(tr, p.n as i64))
                    }
                    p.note { (tr.fill("definitions.preview_note", &[("rows", sigida_report::format::integer(tr, p.rows as i64))])) }
                }
            }
        }
    }
}

/// The definition's form for an instrument, with its questions to choose from.
#[allow(clippy::too_many_arguments)]
async fn definition_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
    action: &str,
    fields: &Fields,
    shown: Shown<'_>,
    existing: Option<&Indicator>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let form = latest_form(&state.store, diagnostic, instrument).await?;
    let language = tr.lang.code();
    let questions: Vec<(String, String)> = form
        .questions
        .iter()
        .filter(|q| !q.name.is_empty())
        .map(|q| {
            let label = form.text(&q.label, language).unwrap_or_default();
            (q.name.clone(), format!("{} — {label}", q.name))
        })
        .collect();
    let themes: Vec<(String, String)> = Theme::ALL
        .iter()
        .map(|t| (t.code().to_owned(), tr.t(t.label_key()).to_owned()))
        .collect();
    let kinds: Vec<(String, String)> = IndicatorKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), tr.t(k.label_key()).to_owned()))
        .collect();
    let refused = shown.refused;
    let body = html! {
        p.note { a href="/indicators" { "← " (tr.t("definitions.title")) } }
        h1 { (existing.map_or(tr.t("definitions.new"), |i| i.label.as_str())) }
        p.note { (tr.t("definitions.instrument")) " : " strong { (instrument.name) } }
        @if let Some(preview) = shown.preview { (preview_block(tr, preview)) }
        datalist id="questions" { @for (name, label) in &questions { option value=(name) { (label) } } }
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="hidden" name="instrument" value=(instrument.id);
            (alert(refused, &["code", "label", "theme", "kind", "question", "option", "weight", "strata", "cluster", "locality", "by"]))
            (field("code", tr.t("definitions.code"), fields.get("code"), Input::Text, true, refused))
            (field("label", tr.t("definitions.label"), fields.get("label"), Input::Text, true, refused))
            (field("theme", tr.t("findings.theme"), fields.get("theme"), Input::Choice(&themes), true, refused))
            (field("kind", tr.t("definitions.kind"), fields.get("kind"), Input::Choice(&kinds), true, refused))
            (listed("question", tr.t("definitions.question"), fields, refused, true))
            p.note { (tr.t("definitions.question_note")) }
            (field("option", tr.t("definitions.option"), fields.get("option"), Input::Text, false, refused))
            fieldset {
                legend { (tr.t("definitions.design")) }
                p.note { (tr.t("definitions.design_note")) }
                (listed("weight", tr.t("definitions.weight"), fields, refused, false))
                (listed("strata", tr.t("definitions.strata"), fields, refused, false))
                (listed("cluster", tr.t("definitions.cluster"), fields, refused, false))
            }
            (listed("locality", tr.t("definitions.locality"), fields, refused, true))
            (field("by", tr.t("definitions.by"), fields.get("by"), Input::LongText, false, refused))
            p.note { (tr.t("definitions.by_note")) }
            div.actions-bar {
                button type="submit" name="step" value="preview" { (tr.t("definitions.preview_button")) }
                button.primary type="submit" name="step" value="save" { (tr.t("register.save")) }
            }
        }
        @if let Some(i) = existing {
            h2 { (tr.t("definitions.delete")) }
            form.stacked method="post" action={"/indicators/" (i.id) "/delete"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                p.note { (tr.t("definitions.delete_note")) }
                button.danger type="submit" { (tr.t("definitions.delete")) }
            }
        }
    };
    let title = existing.map_or(tr.t("definitions.new"), |i| i.label.as_str());
    Ok(form_page(
        viewer,
        diagnostic,
        title,
        body,
        refused.is_some(),
    ))
}

/// A text field that proposes the form's questions.
fn listed(
    name: &str,
    label: &str,
    fields: &Fields,
    refused: Option<&Refused>,
    required: bool,
) -> Markup {
    let error = refused.filter(|r| r.field.as_deref() == Some(name));
    html! {
        label.field.invalid[error.is_some()] {
            span { (label) @if required { " *" } }
            input type="text" name=(name) value=(fields.get(name)) list="questions" required[required] autocomplete="off";
            @if let Some(r) = error { span.error { (r.text) } }
        }
    }
}

async fn instrument_of(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    id: &str,
) -> Result<Instrument, WebError> {
    let id: Id<Instrument> = id.parse().map_err(|_| viewer.not_found())?;
    state
        .store
        .instrument(id)
        .await?
        .filter(|i| i.diagnostic_id == diagnostic.id)
        .ok_or_else(|| viewer.not_found())
}

pub async fn new(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(chosen): Query<Chosen>,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let Some(id) = chosen.instrument.as_deref() else {
        // No instrument chosen yet: the list, where one is chosen.
        return indicators(State(state), viewer, Query(Chosen::default())).await;
    };
    let instrument = instrument_of(&state, &viewer, &diagnostic, id).await?;
    let form = latest_form(&state.store, &diagnostic, &instrument).await?;
    let [weight, strata, cluster] = definitions::design_candidates(&form);
    let locality = state
        .store
        .locality_question(instrument.id)
        .await?
        .unwrap_or_default();
    let fields = Fields(vec![
        ("theme".into(), Theme::Protection.code().into()),
        ("kind".into(), IndicatorKind::Share.code().into()),
        ("weight".into(), weight.unwrap_or_default()),
        ("strata".into(), strata.unwrap_or_default()),
        ("cluster".into(), cluster.unwrap_or_default()),
        ("locality".into(), locality),
    ]);
    let shown = Shown {
        refused: None,
        preview: None,
    };
    definition_page(
        &state,
        &viewer,
        &diagnostic,
        &instrument,
        "/indicators",
        &fields,
        shown,
        None,
    )
    .await
}

/// A posted definition: previewed (the form again with the estimate), or saved.
async fn posted(
    state: &AppState,
    viewer: &Viewer,
    fields: Fields,
    existing: Option<Indicator>,
) -> Result<Response, WebError> {
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let instrument = instrument_of(state, viewer, &diagnostic, fields.get("instrument")).await?;
    let action = existing.as_ref().map_or("/indicators".to_owned(), |i| {
        format!("/indicators/{}", i.id)
    });
    let draft = draft_of(&fields);
    let result = async {
        let (mut indicator, preview) =
            definitions::preview(&state.store, &diagnostic, &draft).await?;
        if fields.get("step") == "save" {
            indicator.id = existing.as_ref().map_or_else(Id::new, |i| i.id);
            sigida_app::common::in_transaction(&state.store, async |tx| {
                definitions::save_indicator(tx, Some(&viewer.user.username), &indicator).await
            })
            .await?;
            return Ok(None);
        }
        Ok::<_, AppError>(Some(preview))
    }
    .await;
    match result {
        Ok(None) => Ok(Redirect::to("/indicators?saved=1").into_response()),
        Ok(Some(preview)) => {
            let shown = Shown {
                refused: None,
                preview: Some(&preview),
            };
            definition_page(
                state,
                viewer,
                &diagnostic,
                &instrument,
                &action,
                &fields,
                shown,
                existing.as_ref(),
            )
            .await
        }
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            let shown = Shown {
                refused: Some(&refused),
                preview: None,
            };
            definition_page(
                state,
                viewer,
                &diagnostic,
                &instrument,
                &action,
                &fields,
                shown,
                existing.as_ref(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    posted(&state, &viewer, Fields(fields), None).await
}

async fn indicator_of(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    id: &str,
) -> Result<Indicator, WebError> {
    state
        .store
        .indicators(diagnostic.id)
        .await?
        .into_iter()
        .find(|i| i.id.to_string() == id)
        .ok_or_else(|| viewer.not_found())
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let indicator = indicator_of(&state, &viewer, &diagnostic, &id).await?;
    let instrument = instrument_of(
        &state,
        &viewer,
        &diagnostic,
        &indicator.instrument_id.to_string(),
    )
    .await?;
    let shown = Shown {
        refused: None,
        preview: None,
    };
    let action = format!("/indicators/{}", indicator.id);
    definition_page(
        &state,
        &viewer,
        &diagnostic,
        &instrument,
        &action,
        &fields_of(&indicator),
        shown,
        Some(&indicator),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let indicator = indicator_of(&state, &viewer, &diagnostic, &id).await?;
    posted(&state, &viewer, Fields(fields), Some(indicator)).await
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let indicator = indicator_of(&state, &viewer, &diagnostic, &id).await?;
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        definitions::remove_indicator(tx, Some(&viewer.user.username), indicator.id).await
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/indicators?saved=1").into_response()),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            let instrument = instrument_of(
                &state,
                &viewer,
                &diagnostic,
                &indicator.instrument_id.to_string(),
            )
            .await?;
            let shown = Shown {
                refused: Some(&refused),
                preview: None,
            };
            let action = format!("/indicators/{}", indicator.id);
            definition_page(
                &state,
                &viewer,
                &diagnostic,
                &instrument,
                &action,
                &fields_of(&indicator),
                shown,
                Some(&indicator),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
