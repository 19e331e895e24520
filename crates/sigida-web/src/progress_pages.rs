//! Following the plans: every action's status, by community and by lead partner. A partner
//! viewer sees and updates only the actions their organisation leads; the team sees them all,
//! and the roles that edit plans update any.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::access::{Permission, Role};
use sigida_core::community::Community;
use sigida_core::plan::{Action, ActionStatus};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;

/// Whether the viewer's organisation leads an action (names compared without case or spaces
/// around them, as people type them).
fn leads(viewer: &Viewer, action: &Action) -> bool {
    let own = viewer.user.organisation.trim();
    !own.is_empty() && action.lead_partner.trim().eq_ignore_ascii_case(own)
}

/// Who may see and who may update an action.
fn may_see(viewer: &Viewer, action: &Action) -> bool {
    viewer.user.role != Role::PartnerViewer || leads(viewer, action)
}

fn may_update(viewer: &Viewer, action: &Action) -> bool {
    viewer.may(Permission::EditPlans)
        || (viewer.may(Permission::ReportProgress) && leads(viewer, action))
}

/// The actions of every community's latest plan.
async fn all_actions(state: &AppState) -> Result<Vec<(Community, Action)>, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let mut out = Vec::new();
    for community in state.store.communities(diagnostic.id).await? {
        let latest = state.store.latest_plan(community.id).await?;
        if let Some(plan) = latest {
            for action in state.store.actions(plan.id).await? {
                out.push((community.clone(), action));
            }
        }
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(saved): Query<Saved>,
) -> Result<Markup, WebError> {
    viewer
        .require(&state, Permission::ViewDiagnostic, "/progress")
        .await?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let shown: Vec<(Community, Action)> = all_actions(&state)
        .await?
        .into_iter()
        .filter(|(_, a)| may_see(&viewer, a))
        .collect();
    let mut by_partner: BTreeMap<&str, BTreeMap<ActionStatus, usize>> = BTreeMap::new();
    for (_, a) in &shown {
        *by_partner
            .entry(a.lead_partner.as_str())
            .or_default()
            .entry(a.status)
            .or_default() += 1;
    }
    let body = html! {
        h1 { (tr.t("progress.title")) }
        @if viewer.user.role == Role::PartnerViewer {
            p.note { (tr.t("progress.partner_scope")) " " strong { (viewer.user.organisation) } }
        }
        @if saved.saved.is_some() { p.notice role="status" { (tr.t("progress.saved")) } }
        h2 { (tr.t("progress.by_partner")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("plan.lead")) }
                @for s in ActionStatus::ALL { th scope="col" class="num" { (tr.t(s.label_key())) } }
            } }
            tbody { @for (partner, counts) in &by_partner { tr {
                th scope="row" { (partner) }
                @for s in ActionStatus::ALL { td.num { (counts.get(s).copied().unwrap_or(0)) } }
            } } }
        } }
        h2 { (tr.t("progress.actions")) }
        @if shown.is_empty() { p.note { (tr.t("community.none")) } }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("nav.communities")) }
                th scope="col" { (tr.t("plan.action")) }
                th scope="col" { (tr.t("plan.lead")) }
                th scope="col" { (tr.t("plan.status")) }
            } }
            tbody { @for (c, a) in &shown { tr {
                td { (c.name) }
                th scope="row" { (a.title) }
                td { (a.lead_partner) }
                td {
                    @if may_update(&viewer, a) {
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
    };
    Ok(crate::layout::page(
        &viewer,
        "/progress",
        tr.t("progress.title"),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(Deserialize)]
pub struct StatusForm {
    csrf: String,
    status: String,
}

/// A partner (for the actions it leads) or the team records where an action stands.
pub async fn set_status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let path = format!("/actions/{id}/status");
    viewer.check_csrf(&form.csrf)?;
    let not_found = || WebError::NotFound {
        api: false,
        lang: viewer.tr.lang,
    };
    let action = all_actions(&state)
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .find(|a| a.id.to_string() == id)
        .ok_or_else(not_found)?;
    // Only the partner that leads it, or the roles that edit plans: anyone else is refused
    // (and the refusal audited) as a missing permission.
    let needed = if viewer.may(Permission::EditPlans) {
        Permission::EditPlans
    } else if leads(&viewer, &action) {
        Permission::ReportProgress
    } else {
        Permission::EditPlans
    };
    viewer.require(&state, needed, &path).await?;
    let status = form
        .status
        .parse::<ActionStatus>()
        .map_err(|_| not_found())?;
    let mut tx = state.store.begin().await?;
    tx.set_action_status(action.id, status).await?;
    tx.commit().await?;
    Ok(Redirect::to("/progress?saved=1").into_response())
}
