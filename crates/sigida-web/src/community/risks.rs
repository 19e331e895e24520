//! The protection page's forms: a risk report as a protection monitor or a service provider
//! gives it (locality × risk × source, date, share or cases in the last three months,
//! present or absent, note), its removal, and the links that derive reports from what Sigida
//! holds — an indicator (its value by locality) or a qualitative code (the notes of a locality
//! that carry it) linked to the risk it measures; and a note's locality on the qualitative
//! page. Each posts to the risks use-cases; a refusal comes back as its catalogue code.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_app::AppError;
use sigida_app::analysis::risks;
use sigida_core::Id;
use sigida_core::access::Permission;
use sigida_core::finding::SourceType;
use sigida_core::geography::Locality;
use sigida_core::indicator::{Indicator, IndicatorKind};
use sigida_core::protection::{ReportOrigin, RiskReport, RiskType};
use sigida_core::qualitative::Code;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;

/// The sources a person reports for (a survey's reports come from its linked indicators).
const ENTERED_SOURCES: [SourceType; 5] = [
    SourceType::KeyInformant,
    SourceType::FocusGroup,
    SourceType::ServiceMap,
    SourceType::FlowData,
    SourceType::PraExercise,
];

/// What the protection page offers to enter and link, for those who may.
pub fn forms(
    viewer: &Viewer,
    slug: &str,
    localities: &[Locality],
    entered: &[RiskReport],
    indicators: &[(Indicator, Option<RiskType>)],
    codes: &[(Code, Option<RiskType>)],
) -> Markup {
    let tr = viewer.tr;
    let base = format!("/communities/{slug}/protection");
    let place = |id| {
        localities
            .iter()
            .find(|l| l.id == id)
            .map_or("", |l| l.name.as_str())
    };
    let risk_select = |name: &str, chosen: Option<RiskType>, none: bool| {
        html! {
            select name=(name) {
                @if none { option value="" selected[chosen.is_none()] { (tr.t("protection.no_link")) } }
                @for r in RiskType::ALL { option value=(r.code()) selected[chosen == Some(*r)] { (tr.t(r.label_key())) } }
            }
        }
    };
    html! {
        @if viewer.may(Permission::EnterData) {
            h3 id="rapports" { (tr.t("protection.add_report")) }
            @if localities.is_empty() { p.note { (tr.t("protection.no_locality")) } }
            @else {
                form.stacked method="post" action={(base) "/reports"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label.field { span { (tr.t("protection.locality")) }
                        select name="locality" { @for l in localities { option value=(l.id) { (l.name) } } } }
                    label.field { span { (tr.t("protection.risk")) } (risk_select("risk", None, false)) }
                    label.field { span { (tr.t("protection.source")) }
                        select name="source" { @for s in ENTERED_SOURCES { option value=(s.code()) { (tr.t(s.label_key())) } } } }
                    label.field { span { (tr.t("protection.date")) " (AAAA-MM-JJ)" } input type="text" name="date" required; }
                    label.field { span { (tr.t("protection.share_entered")) } input type="text" inputmode="decimal" name="share"; }
                    label.field { span { (tr.t("protection.cases_entered")) } input type="text" inputmode="numeric" name="cases"; }
                    label.check { input type="checkbox" name="present" value="1" checked; " " (tr.t("protection.present")) }
                    label.field { span { (tr.t("protection.note")) } textarea name="note" {} }
                    button.primary type="submit" { (tr.t("protection.save_report")) }
                }
            }
            @if !entered.is_empty() {
                details {
                    summary { (tr.t("protection.entered")) " (" (entered.len()) ")" }
                    ul.plain { @for r in entered {
                        li {
                            (place(r.locality_id)) " — " (tr.t(r.risk.label_key())) " — " (tr.t(r.source.label_key())) " — " (r.observed_on.to_string()) " "
                            form.inline method="post" action={(base) "/reports/" (r.id) "/delete"} {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                button.secondary type="submit" { (tr.t("citation.remove")) }
                            }
                        }
                    } }
                }
            }
        }
        @if viewer.may(Permission::EditAnalysis) && (!indicators.is_empty() || !codes.is_empty()) {
            h3 id="liens" { (tr.t("protection.links")) }
            p.note { (tr.t("protection.links_note")) }
            @for (i, risk) in indicators {
                form.inline method="post" action={(base) "/indicators/" (i.id)} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    span { (tr.t("citation.kind_indicator")) " : " (i.label) " (" code { (i.code) } ") → " }
                    (risk_select("risk", *risk, true))
                    button type="submit" { (tr.t("register.save")) }
                }
                @if !i.by.contains(&i.locality_column) {
                    " " span.note { (tr.t("protection.no_locality_split")) }
                }
                br;
            }
            @for (c, risk) in codes {
                form.inline method="post" action={(base) "/codes/" (c.id)} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    span { (tr.t("protection.code")) " : " (c.label) " (" code { (c.code) } ") → " }
                    (risk_select("risk", *risk, true))
                    button type="submit" { (tr.t("register.save")) }
                }
                br;
            }
        }
    }
}

/// The protection page's linkable indicators (shares) and codes, each with its risk.
pub async fn linkable(
    state: &AppState,
    diagnostic: Id<sigida_core::diagnostic::Diagnostic>,
) -> Result<
    (
        Vec<(Indicator, Option<RiskType>)>,
        Vec<(Code, Option<RiskType>)>,
    ),
    WebError,
> {
    let indicator_links = state.store.indicator_risks(diagnostic).await?;
    let code_links = state.store.code_risks(diagnostic).await?;
    let indicators = state
        .store
        .indicators(diagnostic)
        .await?
        .into_iter()
        .filter(|i| i.kind == IndicatorKind::Share)
        .map(|i| {
            let risk = indicator_links
                .iter()
                .find(|(id, _)| *id == i.id)
                .map(|(_, r)| *r);
            (i, risk)
        })
        .collect();
    let codes = state
        .store
        .codebook(diagnostic)
        .await?
        .into_iter()
        .map(|c| {
            let risk = code_links
                .iter()
                .find(|(id, _)| *id == c.id)
                .map(|(_, r)| *r);
            (c, risk)
        })
        .collect();
    Ok((indicators, codes))
}

type Posted = Form<HashMap<String, String>>;

fn back(slug: &str, query: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/communities/{slug}/protection?{query}#{anchor}")).into_response()
}

fn answered(slug: &str, anchor: &str, result: Result<(), AppError>) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(back(slug, "saved=1", anchor)),
        Err(AppError::Refused(r)) => Ok(back(slug, &format!("refused={}", r.code), anchor)),
        Err(e) => Err(e.into()),
    }
}

fn get<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

/// A report as entered: a share typed in percent (`35` or `35,5`), cases as a whole number.
fn entered(
    form: &HashMap<String, String>,
    community: Id<sigida_core::community::Community>,
) -> Result<RiskReport, &'static str> {
    let locality = get(form, "locality")
        .parse()
        .map_err(|_| "risk.form_locality")?;
    let risk = get(form, "risk").parse().map_err(|_| "risk.form_risk")?;
    let source: SourceType = get(form, "source")
        .parse()
        .map_err(|_| "risk.form_source")?;
    let observed_on = time::Date::parse(
        get(form, "date"),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| "risk.form_date")?;
    let prevalence = match get(form, "share") {
        "" => None,
        text => {
            let percent = sigida_formats::parse_typed_number(text).ok_or("risk.form_share")?;
            if !(0.0..=100.0).contains(&percent) {
                return Err("risk.form_share");
            }
            Some(percent / 100.0)
        }
    };
    let incidents = match get(form, "cases") {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| "risk.form_cases")?),
    };
    Ok(RiskReport {
        id: Id::new(),
        community_id: community,
        locality_id: locality,
        risk,
        source,
        observed_on,
        prevalence,
        incidents,
        present: form.contains_key("present"),
        note: get(form, "note").to_owned(),
        origin: ReportOrigin::Entered,
    })
}

pub async fn add_report(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Form(form): Posted,
) -> Result<Response, WebError> {
    viewer.check_csrf(get(&form, "csrf"))?;
    let report = match entered(&form, community.id) {
        Ok(report) => report,
        Err(code) => {
            return Ok(back(
                &community.slug,
                &format!("refused={code}"),
                "rapports",
            ));
        }
    };
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        risks::enter_risk_report(tx, Some(&viewer.user.username), &report).await
    })
    .await;
    answered(&community.slug, "rapports", result)
}

pub async fn delete_report(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Path((_, id)): Path<(String, String)>,
    Form(form): Posted,
) -> Result<Response, WebError> {
    viewer.check_csrf(get(&form, "csrf"))?;
    let id = id.parse().map_err(|_| viewer.not_found())?;
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        risks::remove_risk_report(tx, Some(&viewer.user.username), community.id, id).await
    })
    .await;
    answered(&community.slug, "rapports", result)
}

fn chosen_risk(form: &HashMap<String, String>) -> Option<RiskType> {
    get(form, "risk").parse().ok()
}

pub async fn link_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, id)): Path<(String, String)>,
    Form(form): Posted,
) -> Result<Response, WebError> {
    viewer.check_csrf(get(&form, "csrf"))?;
    let indicator = state
        .store
        .indicators(diagnostic.id)
        .await?
        .into_iter()
        .find(|i| i.id.to_string() == id)
        .ok_or_else(|| viewer.not_found())?;
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        risks::link_indicator(
            tx,
            Some(&viewer.user.username),
            indicator.id,
            chosen_risk(&form),
        )
        .await
    })
    .await;
    answered(&community.slug, "liens", result)
}

pub async fn link_code(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, id)): Path<(String, String)>,
    Form(form): Posted,
) -> Result<Response, WebError> {
    viewer.check_csrf(get(&form, "csrf"))?;
    let code = state
        .store
        .codebook(diagnostic.id)
        .await?
        .into_iter()
        .find(|c| c.id.to_string() == id)
        .ok_or_else(|| viewer.not_found())?;
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        risks::link_code(tx, Some(&viewer.user.username), code.id, chosen_risk(&form)).await
    })
    .await;
    answered(&community.slug, "liens", result)
}

/// A note's locality, set on the qualitative page.
pub async fn note_locality(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Path((_, id)): Path<(String, String)>,
    Form(form): Posted,
) -> Result<Response, WebError> {
    viewer.check_csrf(get(&form, "csrf"))?;
    let note = state
        .store
        .interview_notes(community.id)
        .await?
        .into_iter()
        .find(|n| n.id.to_string() == id)
        .ok_or_else(|| viewer.not_found())?;
    let locality = match get(&form, "locality") {
        "" => None,
        text => Some(text.parse().map_err(|_| viewer.not_found())?),
    };
    let back = |query: &str| {
        Redirect::to(&format!(
            "/communities/{}/qualitative?{query}#note-{}",
            community.slug, note.id
        ))
        .into_response()
    };
    let result = sigida_app::common::in_transaction(&state.store, async |tx| {
        risks::set_note_locality(tx, Some(&viewer.user.username), &note, locality).await
    })
    .await;
    match result {
        Ok(()) => Ok(back("saved=1")),
        Err(AppError::Refused(r)) => Ok(back(&format!("refused={}", r.code))),
        Err(e) => Err(e.into()),
    }
}
