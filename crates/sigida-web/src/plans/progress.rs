//! Following the plans: every action's status and milestones, every indicator's latest
//! measurement against its baseline and target, by community and by lead partner, and
//! measurements imported in bulk from the template. A partner viewer sees and updates only the
//! actions their organisation leads; the team sees them all, and the roles that edit plans
//! update any.

use std::collections::{BTreeMap, BTreeSet};

use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::Id;
use sigida_core::access::{Permission, Role};
use sigida_core::community::Community;
use sigida_core::plan::{Action, ActionStatus, Measurement, PlanContent, PlanIndicator};
use sigida_report::format;

use super::action::{following, progress_cell};
use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::Fields;
use crate::http::routes::Loaded;

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    imported: Option<usize>,
    #[serde(default)]
    already: Option<usize>,
    #[serde(default)]
    refused: Option<String>,
    /// A refused file's problem (its file, row and value), shown by the import itself: never
    /// read from the URL.
    #[serde(skip)]
    problem: Option<String>,
    /// Filters: a community's slug, a lead partner's name.
    #[serde(default)]
    community: Option<String>,
    #[serde(default)]
    partner: Option<String>,
}

/// One indicator of a followed action with what the follow-up says of it.
struct Followed<'a> {
    community: &'a Community,
    action: &'a Action,
    indicator: PlanIndicator,
    latest: Option<Measurement>,
}

pub async fn progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(shown): Query<Shown>,
) -> Result<Markup, WebError> {
    viewer
        .require(&state, Permission::ViewDiagnostic, "/progress")
        .await?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let everything = followed_actions(&state).await?;
    let picked = |wanted: &Option<String>, value: &str| {
        wanted
            .as_deref()
            .is_none_or(|w| w.is_empty() || w.trim().eq_ignore_ascii_case(value.trim()))
    };
    let visible: Vec<&FollowedAction> = everything
        .iter()
        .filter(|f| viewer.user.may_see_action(&f.action))
        .collect();
    let partners: BTreeSet<&str> = visible
        .iter()
        .map(|f| f.action.lead_partner.as_str())
        .collect();
    let shown_actions: Vec<&FollowedAction> = visible
        .iter()
        .copied()
        .filter(|f| picked(&shown.community, &f.community.slug))
        .filter(|f| picked(&shown.partner, &f.action.lead_partner))
        .collect();
    let mut by_partner: BTreeMap<&str, BTreeMap<ActionStatus, usize>> = BTreeMap::new();
    for f in &shown_actions {
        *by_partner
            .entry(f.action.lead_partner.as_str())
            .or_default()
            .entry(f.action.status)
            .or_default() += 1;
    }
    let mut indicators = Vec::new();
    for f in &shown_actions {
        for i in f
            .content
            .indicators
            .iter()
            .filter(|i| i.action_id == f.action.id)
        {
            let latest = f.content.latest_measurement(i.id).cloned();
            indicators.push(Followed {
                community: &f.community,
                action: &f.action,
                indicator: i.clone(),
                latest,
            });
        }
    }
    let reached = |f: &FollowedAction| {
        let of_action: Vec<_> = f
            .content
            .milestones
            .iter()
            .filter(|m| m.action_id == f.action.id)
            .collect();
        (
            of_action.iter().filter(|m| m.done_on.is_some()).count(),
            of_action.len(),
        )
    };
    let may_import = viewer.may(Permission::EditPlans) || viewer.may(Permission::ReportProgress);
    let communities: Vec<&Community> = {
        let mut seen: Vec<&Community> = Vec::new();
        for f in &visible {
            if !seen.iter().any(|c| c.id == f.community.id) {
                seen.push(&f.community);
            }
        }
        seen
    };
    let body = html! {
        h1 { (tr.t("progress.title")) }
        @if viewer.user.role == Role::PartnerViewer {
            p.note { (tr.t("progress.partner_scope")) " " strong { (viewer.user.organisation) } }
        }
        @if shown.saved.is_some() { p.notice role="status" { (tr.t("progress.saved")) } }
        @if let Some(n) = shown.imported {
            p.notice role="status" { (tr.with_n("progress.imported", n as u64)) " "
                (tr.with_n("progress.already", shown.already.unwrap_or(0) as u64)) }
        }
        @if let Some(why) = shown.problem.as_deref().or(crate::http::error::shown_refusal(tr, shown.refused.as_deref())) { p.alert role="alert" { (why) } }
        form.inline method="get" action="/progress" {
            label { (tr.t("nav.communities")) " " select name="community" {
                option value="" { (tr.t("progress.all")) }
                @for c in &communities { option value=(c.slug) selected[shown.community.as_deref() == Some(c.slug.as_str())] { (c.name) } }
            } }
            label { (tr.t("plan.lead")) " " select name="partner" {
                option value="" { (tr.t("progress.all")) }
                @for p in &partners { option value=(p) selected[shown.partner.as_deref() == Some(*p)] { (p) } }
            } }
            button type="submit" { (tr.t("progress.filter")) }
        }
        h2 { (tr.t("progress.by_partner")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("plan.lead")) }
                @for s in ActionStatus::ALL { th scope="col" class="num" { (tr.t(s.label_key())) } }
            } }
            tbody { @for (partner, counts) in &by_partner { tr {
                th scope="row" { a href={"/progress?partner=" (crate::http::error::encode_query(partner))} { (partner) } }
                @for s in ActionStatus::ALL { td.num { (counts.get(s).copied().unwrap_or(0)) } }
            } } }
        } }
        h2 id="indicateurs" { (tr.t("progress.indicators")) }
        @if indicators.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("nav.communities")) }
                    th scope="col" { (tr.t("plan.action")) }
                    th scope="col" { (tr.t("plan.indicator")) }
                    th scope="col" class="num" { (tr.t("plan.baseline")) }
                    th scope="col" class="num" { (tr.t("plan.target")) }
                    th scope="col" class="num" { (tr.t("progress.latest")) }
                    th scope="col" { (tr.t("progress.progress")) }
                } }
                tbody { @for f in &indicators { tr {
                    td data-label=(tr.t("nav.communities")) { (f.community.name) }
                    td data-label=(tr.t("plan.action")) { a href={"/actions/" (f.action.id)} { (f.action.title) } }
                    th scope="row" { (f.indicator.name) " (" (f.indicator.unit) ")" }
                    td.num data-label=(tr.t("plan.baseline")) { (format::figure_or_dash(tr, f.indicator.baseline)) }
                    td.num data-label=(tr.t("plan.target")) { (format::figure_or_dash(tr, f.indicator.target)) }
                    td.num data-label=(tr.t("progress.latest")) { @match &f.latest {
                        Some(m) => { (format::figure(tr, m.value)) br; span.note { (format::date(tr, m.measured_on)) } },
                        None => "—",
                    } }
                    td data-label=(tr.t("progress.progress")) { (progress_cell(tr, &f.indicator, f.latest.as_ref().map(|m| m.value))) }
                } } }
            } }
        }
        h2 { (tr.t("progress.actions")) }
        @if shown_actions.is_empty() { p.note { (tr.t("community.none")) } }
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("nav.communities")) }
                th scope="col" { (tr.t("plan.action")) }
                th scope="col" { (tr.t("plan.lead")) }
                th scope="col" class="num" { (tr.t("plan.milestones")) }
                th scope="col" { (tr.t("plan.status")) }
            } }
            tbody { @for f in &shown_actions { @let a = &f.action; tr {
                td data-label=(tr.t("nav.communities")) { (f.community.name) }
                th scope="row" { a href={"/actions/" (a.id)} { (a.title) } }
                td data-label=(tr.t("plan.lead")) { (a.lead_partner) }
                td.num data-label=(tr.t("plan.milestones")) { @let (done, all) = reached(f); (done) " / " (all) }
                td data-label=(tr.t("plan.status")) {
                    @if viewer.user.may_update_action(a) {
                        form.inline method="post" action={"/actions/" (a.id) "/status"} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            select name="status" aria-label=(tr.t("plan.status")) {
                                @for s in ActionStatus::ALL { option value=(s.code()) selected[*s == a.status] { (tr.t(s.label_key())) } }
                            }
                            " " button type="submit" { (tr.t("progress.update")) }
                        }
                    } @else {
                        (tr.t(a.status.label_key()))
                    }
                }
            } } }
        } }
        @if may_import {
            h2 id="import" { (tr.t("progress.import")) }
            p { (tr.t("progress.import_help")) " " a href="/progress/modele.csv" { (tr.t("progress.template")) } }
            form.stack method="post" action="/progress/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("progress.file")) input type="file" name="file" accept=".csv,.xlsx,.xls" required; }
                button.primary type="submit" { (tr.t("progress.import_button")) }
            }
        }
    };
    Ok(crate::http::layout::page(
        &viewer,
        "/progress",
        tr.t("progress.title"),
        diagnostic.synthetic,
        body,
    ))
}

/// Every action of each community's latest plan, with that plan's content.
struct FollowedAction {
    community: Community,
    action: Action,
    content: std::sync::Arc<PlanContent>,
}

async fn followed_actions(state: &AppState) -> Result<Vec<FollowedAction>, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let mut out = Vec::new();
    for community in state.store.communities(diagnostic.id).await? {
        if let Some(plan) = state.store.latest_plan(community.id).await? {
            let content = std::sync::Arc::new(state.store.plan_content(plan.id).await?);
            for action in &content.actions {
                out.push(FollowedAction {
                    community: community.clone(),
                    action: action.clone(),
                    content: content.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// The indicators the viewer records measurements for (those of the actions it may update),
/// with the measurements they already have.
async fn recordable(
    state: &AppState,
    viewer: &Viewer,
) -> Result<(Vec<(Action, PlanIndicator)>, Vec<Measurement>), WebError> {
    let mut indicators = Vec::new();
    let mut measurements = Vec::new();
    for f in followed_actions(state).await? {
        if !viewer.user.may_update_action(&f.action) {
            continue;
        }
        for i in f
            .content
            .indicators
            .iter()
            .filter(|i| i.action_id == f.action.id)
        {
            measurements.extend(
                f.content
                    .measurements
                    .iter()
                    .filter(|m| m.indicator_id == i.id)
                    .cloned(),
            );
            indicators.push((f.action.clone(), i.clone()));
        }
    }
    Ok((indicators, measurements))
}

/// The template a partner fills in: one line per indicator it follows, the identifier first.
pub async fn template(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    // Titles and names are typed by people: made safe for the spreadsheet that opens the file.
    let write = |out: &mut csv::Writer<Vec<u8>>, record: &[&str]| {
        out.write_record(
            sigida_formats::write::csv_cells(
                record.iter().copied(),
                sigida_formats::write::Cells::FormulaSafe,
            )
            .map(|c| c.into_owned()),
        )
        .map_err(|e| WebError::failed("suivi", e))
    };
    write(&mut out, &sigida_formats::progress::TEMPLATE_COLUMNS)?;
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    for (action, i) in recordable(&state, &viewer).await?.0 {
        let (baseline, target) = (number(i.baseline), number(i.target));
        write(
            &mut out,
            &[
                &i.id.to_string(),
                &action.title,
                &i.name,
                &i.unit,
                &baseline,
                &target,
                "",
                "",
                "",
            ],
        )?;
    }
    let bytes = out.into_inner().map_err(|e| WebError::failed("suivi", e))?;
    Ok(crate::http::download::attachment(
        "text/csv; charset=utf-8",
        "suivi-indicateurs.csv",
        bytes,
    ))
}

/// Measurements in bulk from the filled template (CSV or XLSX): all rows or none. A row naming
/// an indicator the viewer does not follow refuses the file, with its row; a measurement
/// already recorded (same indicator, date and value) is not recorded twice, so a file sent
/// again changes nothing.
pub async fn import_measurements(
    State(state): State<AppState>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    // A refused file is answered with the page and its problem (422), not a redirect: the
    // problem names the file and row, text no URL may carry.
    let page_state = state.clone();
    let page_viewer = viewer.clone();
    let refused = |why: String| async move {
        let shown = Shown {
            problem: Some(why),
            ..Shown::default()
        };
        let page = progress(State(page_state), page_viewer, Query(shown)).await?;
        Ok::<_, WebError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::upload(viewer.tr.lang, e))?
    {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("suivi.csv").to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::upload(viewer.tr.lang, e))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    viewer.check_csrf(&csrf)?;
    if !viewer.may(Permission::ReportProgress) {
        viewer
            .require(&state, Permission::EditPlans, "/progress/import")
            .await?;
    }
    let tr = viewer.tr;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(tr.t("progress.no_file").to_owned()).await;
    };
    // Reading a workbook is CPU work (and its size check decompresses it): off the runtime.
    let file_name = name.clone();
    let read = tokio::task::spawn_blocking(move || {
        sigida_formats::table::read_tables_from_bytes(&file_name, &bytes)
    })
    .await
    .map_err(|e| WebError::failed("suivi", e))?;
    let tables = match read {
        Ok(t) => t,
        Err(e) => return refused(tr.format_error(&e)).await,
    };
    let table = tables
        .iter()
        .find(|t| t.column("indicateur").or(t.column("indicator")).is_some())
        .or(tables.first());
    let Some(table) = table else {
        return refused(tr.t("progress.no_file").to_owned()).await;
    };
    let rows = match sigida_formats::progress::measurement_rows(table) {
        Ok(r) => r,
        Err(e) => return refused(tr.format_error(&e)).await,
    };
    let (followed, mut known) = recordable(&state, &viewer).await?;
    let mut measurements = Vec::new();
    for row in &rows {
        let by_id = followed
            .iter()
            .find(|(_, i)| i.id.to_string() == row.indicator);
        let by_name: Vec<_> = followed
            .iter()
            .filter(|(_, i)| i.name.trim().eq_ignore_ascii_case(&row.indicator))
            .collect();
        let indicator = match (by_id, by_name.as_slice()) {
            (Some((_, i)), _) | (None, [(_, i)]) => i,
            (None, found) => {
                let key = if found.is_empty() {
                    "progress.unknown_indicator"
                } else {
                    "progress.ambiguous_indicator"
                };
                return refused(format!(
                    "{name}, {} {}, indicateur : « {} » — {}",
                    tr.t("progress.row"),
                    row.row,
                    row.indicator,
                    tr.t(key)
                ))
                .await;
            }
        };
        measurements.push(Measurement {
            id: Id::new(),
            indicator_id: indicator.id,
            measured_on: row.measured_on,
            value: row.value,
            note: row.note.clone(),
            recorded_by: viewer.user.username.clone(),
        });
    }
    let mut tx = state.store.begin().await?;
    let (mut imported, mut already) = (0, 0);
    for m in &measurements {
        let same = |k: &Measurement| {
            k.indicator_id == m.indicator_id && k.measured_on == m.measured_on && k.value == m.value
        };
        if known.iter().any(same) {
            already += 1;
            continue;
        }
        tx.insert_measurement(m).await?;
        known.push(m.clone());
        imported += 1;
    }
    tx.commit().await?;
    viewer
        .audit(
            &state,
            sigida_core::audit::AuditAction::DataImported,
            "/progress/import",
            &format!("{name}: {imported} mesures"),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/progress?imported={imported}&already={already}#indicateurs"
    ))
    .into_response())
}

/// A partner (for the actions it leads) or the team records where an action stands; the form
/// says whether to come back to the action's page or to the follow-up.
pub async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<sigida_core::plan::ActionPlan>,
    Loaded(action): Loaded<Action>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = following(&state, &viewer, plan, action, &fields).await?;
    let status = fields
        .get("status")
        .parse::<ActionStatus>()
        .map_err(|_| viewer.not_found())?;
    sigida_app::plans::set_status(&state.store, action.id, status).await?;
    let back = if fields.get("back") == "action" {
        format!("/actions/{}?saved=1", action.id)
    } else {
        "/progress?saved=1".to_owned()
    };
    Ok(Redirect::to(&back).into_response())
}
