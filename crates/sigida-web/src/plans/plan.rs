//! A community's action plan in the web app: its versions (draft, adopted by a meeting on a
//! date, revised after a review) and what changed from one to the next, its actions with what
//! each answers, the timeline and the budget totals, and the form that adds an action from
//! validated findings or meeting decisions. The store refuses an action that answers neither
//! (the traceability rule) and any change to an adopted version, and the page says why.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::access::Permission;

use sigida_core::plan::{ActionPlan, PlanContent, PlanStatus, budget_totals, changes};
use sigida_core::{Id, Timestamp};
use sigida_report::format;
use sigida_report::plan::quarter_label;

use super::action::{Answerable, action_fields, action_form, form_lists};
use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;
use crate::http::form::Fields;
use sigida_app::AppError;
use sigida_app::plans;

#[derive(Deserialize, Default)]
pub struct Shown {
    /// A finding to tick in the form (the link from the findings page).
    #[serde(default)]
    finding: Option<String>,
    #[serde(default)]
    refused: Option<String>,
    #[serde(default)]
    saved: Option<String>,
    /// The version to show; the latest by default.
    #[serde(default)]
    version: Option<i64>,
}

pub async fn plan_page(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Query(shown): Query<Shown>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let versions = state.store.plans(community.id).await?;
    let latest = versions.iter().map(|p| p.version).max();
    let plan = match shown.version {
        Some(v) => Some(
            versions
                .iter()
                .find(|p| p.version == v)
                .ok_or(viewer.not_found())?,
        ),
        None => versions.iter().max_by_key(|p| p.version),
    };
    // What the viewer may see of it: a partner, the actions its organisation leads.
    let content = match plan {
        Some(p) => state.store.plan_content(p.id).await?.seen_by(&viewer.user),
        None => PlanContent::default(),
    };
    let previous = match plan.and_then(|p| versions.iter().find(|v| v.version == p.version - 1)) {
        Some(before) => Some((
            before.version,
            changes(
                &state
                    .store
                    .plan_content(before.id)
                    .await?
                    .seen_by(&viewer.user),
                &content,
            ),
        )),
        None => None,
    };
    let totals = budget_totals(&content.actions, &content.lines).unwrap_or_default();
    let answerable = Answerable::of(&state, community.id).await?;
    let (findings, decisions) = (&answerable.findings, &answerable.decisions);
    let meetings = state.store.meetings(community.id).await?;
    let is_latest = plan.map(|p| p.version) == latest;
    let editable = viewer.may(Permission::EditPlans)
        && is_latest
        && plan.is_none_or(|p| p.status == PlanStatus::Draft);
    let lists = if editable {
        Some(form_lists(&state, &community, decisions).await?)
    } else {
        None
    };
    let statement = |id| {
        findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.amended_statement.as_deref().unwrap_or(&f.statement))
    };
    let base = format!("/communities/{}/plan", community.slug);
    let body = html! {
        @if shown.saved.is_some() { p.notice role="status" { (tr.t("plan.saved")) } }
        @if let Some(why) = crate::http::error::shown_refusal(tr, shown.refused.as_deref()) { p.alert role="alert" { (why) } }
        @match plan {
            None => p.note { (tr.t("plan.none")) },
            Some(p) => {
                p { (p.title) " — v" (p.version) " · " strong { (tr.t(p.status.label_key())) }
                    @if let Some(on) = p.adopted_on {
                        " · " (tr.t("plan.adopted_on")) " " (format::date(tr, on))
                        @if let Some(m) = meetings.iter().find(|m| Some(m.id) == p.adopted_by_meeting) {
                            " (" (m.title) ")"
                        }
                    }
                    " · " (tr.t("plan.budget_total")) " " strong { (format::fcfa(tr, totals.total)) } }
                p { a href={"/progress?community=" (community.slug)} { (tr.t("plan.follow_up_link")) " →" } }
                @if viewer.may(Permission::DownloadReports) && is_latest {
                    p { a href={"/reports/" (community.slug) "/plan-action.html"} { "HTML" } " · "
                        a href={"/reports/" (community.slug) "/plan-action.pdf"} { "PDF" } " · "
                        a href={"/reports/" (community.slug) "/plan-action.xlsx"} { "XLSX" } }
                }
                @if versions.len() > 1 {
                    p.note { (tr.t("plan.versions")) " : "
                        @for v in &versions {
                            @if v.version == p.version { strong { "v" (v.version) } } @else {
                                a href={(base) "?version=" (v.version)} { "v" (v.version) }
                            }
                            " (" (tr.t(v.status.label_key())) ") "
                        }
                    }
                }
                @if viewer.may(Permission::EditPlans) && is_latest {
                    @if p.status == PlanStatus::Draft {
                        @if meetings.is_empty() { p.note { (tr.t("plan.adopt_needs_meeting")) } } @else {
                            form.inline method="post" action={(base) "/adopt"} {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                label { (tr.t("plan.adopted_by")) " "
                                    select name="meeting" { @for m in meetings.iter().rev() { option value=(m.id) { (m.title) " — " (format::date(tr, m.date)) } } } }
                                label { (tr.t("plan.adopted_on")) " " input type="date" name="date" required
                                    value=(meetings.last().map(|m| m.date.to_string()).unwrap_or_default()); }
                                button.primary type="submit" { (tr.t("plan.adopt")) }
                            }
                        }
                    } @else {
                        form.inline method="post" action={(base) "/revise"} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button type="submit" { (tr.t("plan.revise")) }
                            span.note { (tr.t("plan.revise_note")) }
                        }
                    }
                }
            }
        }
        @if let Some((before, found)) = &previous { (sigida_report::plan::changes_section(tr, *before, found)) }
        h2 { "1. " (tr.t("plan.actions")) }
        @if content.actions.is_empty() { p.note { (tr.t("community.none")) } }
        @for a in &content.actions {
            article.finding {
                h3 { a href={"/actions/" (a.id)} { (a.title) } }
                @if !a.objective.is_empty() { p { (tr.t("plan.objective")) " : " (a.objective) } }
                p.note { (a.lead_partner) " · " (tr.t(a.status.label_key())) " · "
                    (quarter_label(tr, a.start)) " → " (quarter_label(tr, a.end)) }
                ul {
                    @for f in &a.finding_ids { @if let Some(s) = statement(*f) {
                        li { (tr.t("plan.finding")) " : "
                            a href={"/communities/" (community.slug) "/findings#constat-" (f)} { (s) } }
                    } }
                    @for d in &a.decision_ids { @if let Some(d) = decisions.iter().find(|x| x.id == *d) {
                        li { (tr.t("plan.decision")) " : " (d.text) }
                    } }
                }
            }
        }
        @if !content.actions.is_empty() {
            (sigida_report::plan::timeline_and_budget(tr, &content, &totals))
        }
        @if let Some(lists) = &lists {
            h2 id="nouvelle-action" { (tr.t("plan.new_action")) }
            (action_form(&viewer, &format!("{base}/actions"), None, &answerable, lists, shown.finding.as_deref()))
        }
    };
    Ok(crate::http::community::analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "plan.title",
        body,
    ))
}

/// Back to the plan's page: saved, or the refusal's code.
fn back(slug: &str, outcome: Result<(), &str>) -> Response {
    let query = match outcome {
        Ok(()) => "saved=1".to_owned(),
        Err(code) => format!("refused={code}"),
    };
    Redirect::to(&format!("/communities/{slug}/plan?{query}")).into_response()
}

/// A use-case's answer as the plan's page shows it.
fn answered<T>(slug: &str, result: Result<T, AppError>) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(back(slug, Ok(()))),
        Err(AppError::Refused(r)) => Ok(back(slug, Err(r.code))),
        Err(e) => Err(e.into()),
    }
}

/// The community's latest plan version; none is a page that does not exist.
async fn latest_plan(
    state: &AppState,
    viewer: &Viewer,
    community: &sigida_core::community::Community,
) -> Result<ActionPlan, WebError> {
    state
        .store
        .latest_plan(community.id)
        .await?
        .ok_or_else(|| viewer.not_found())
}

/// Adds an action to the community's plan (a draft plan is started if it has none). The
/// form's ticked findings and decisions come as repeated fields.
pub async fn add_action(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let slug = community.slug.clone();
    let tr = viewer.tr;
    let action = match action_fields(&fields, Id::new(), Id::new()) {
        Ok(a) => a,
        Err(code) => return Ok(back(&slug, Err(code))),
    };
    let new_plan = plans::NewPlan {
        id: Id::new(),
        title: format!("{} — {}", tr.t("plan.title"), community.name),
        at: Timestamp::now(),
    };
    let added = plans::add_action(&state.store, &community, new_plan, action).await;
    answered(&slug, added)
}

/// A meeting of the community adopts the draft on a date; the adoption is also one of the
/// meeting's decisions, so the minutes carry it.
pub async fn adopt(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let slug = community.slug.clone();
    let tr = viewer.tr;
    let plan = latest_plan(&state, &viewer, &community).await?;
    let meeting = state
        .store
        .meetings(community.id)
        .await?
        .into_iter()
        .find(|m| m.id.to_string() == fields.get("meeting"))
        .ok_or_else(|| viewer.not_found())?;
    let Some(on) = sigida_formats::parse_date(fields.get("date")) else {
        return Ok(back(&slug, Err("progress.date")));
    };
    let text = format!(
        "{} (v{}) — {} {}",
        plan.title,
        plan.version,
        tr.t("plan.adopted_on"),
        format::date(tr, on)
    );
    let adopted = plans::adopt(
        &state.store,
        &plan,
        &meeting,
        on,
        Id::new(),
        [&text, tr.t("plan.adopted_by_plenary")],
    )
    .await;
    answered(&slug, adopted)
}

/// Opens the next version as a draft copy of the adopted one.
pub async fn revise(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let slug = community.slug.clone();
    let plan = latest_plan(&state, &viewer, &community).await?;
    let revised = plans::revise(
        &state.store,
        &plan,
        Id::new(),
        Timestamp::now(),
        uuid::Uuid::new_v4,
    )
    .await;
    answered(&slug, revised)
}
