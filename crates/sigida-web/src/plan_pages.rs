//! A community's action plan in the web app: its actions with what each answers, the budget
//! totals, and the form that adds an action from validated findings or meeting decisions. The
//! store refuses an action that answers neither (the traceability rule), and the page says why.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::access::Permission;
use sigida_core::plan::{Action, ActionPlan, ActionStatus, PlanStatus, Quarter, budget_totals};
use sigida_core::{Id, Timestamp};
use sigida_report::format;
use sigida_store::StoreError;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;

#[derive(Deserialize, Default)]
pub struct Shown {
    /// A finding to tick in the form (the link from the findings page).
    #[serde(default)]
    finding: Option<String>,
    #[serde(default)]
    refused: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

pub async fn plan_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(shown): Query<Shown>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let (diagnostic, community) =
        crate::pages::analysis_community(&state, &viewer, &slug, "plan").await?;
    let plan = state.store.latest_plan(community.id).await?;
    let (actions, lines) = match &plan {
        Some(p) => (
            state.store.actions(p.id).await?,
            state.store.budget_lines(p.id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let totals = budget_totals(&actions, &lines).unwrap_or_default();
    let findings = state.store.findings(community.id).await?;
    let accepted: Vec<_> = findings.iter().filter(|f| f.is_accepted()).collect();
    let mut decisions = Vec::new();
    for m in state.store.meetings(community.id).await? {
        decisions.extend(state.store.decisions(m.id).await?);
    }
    let statement = |id| {
        findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.amended_statement.as_deref().unwrap_or(&f.statement))
    };
    let body = html! {
        @if shown.saved.is_some() { p.notice role="status" { (tr.t("plan.saved")) } }
        @if let Some(why) = &shown.refused { p.alert role="alert" { (why) } }
        @match &plan {
            None => p.note { (tr.t("plan.none")) },
            Some(p) => {
                p { (p.title) " — v" (p.version) " · " (tr.t(p.status.label_key())) " · "
                    (tr.t("plan.budget_total")) " " strong { (format::fcfa(tr, totals.total)) } }
                @if viewer.may(Permission::DownloadReports) {
                    p { a href={"/reports/" (community.slug) "/plan-action.html"} { "HTML" } " · "
                        a href={"/reports/" (community.slug) "/plan-action.pdf"} { "PDF" } }
                }
            }
        }
        h2 { (tr.t("plan.actions")) }
        @if actions.is_empty() { p.note { (tr.t("community.none")) } }
        @for a in &actions {
            article.finding {
                h3 { (a.title) }
                p.note { (a.lead_partner) " · " (tr.t(a.status.label_key())) " · "
                    (tr.t("plan.year")) " " (a.start.year) " T" (a.start.quarter) " → "
                    (tr.t("plan.year")) " " (a.end.year) " T" (a.end.quarter) }
                ul { @for f in &a.finding_ids { @if let Some(s) = statement(*f) {
                    li { (tr.t("plan.finding")) " : "
                        a href={"/communities/" (community.slug) "/findings#constat-" (f)} { (s) } }
                } } }
            }
        }
        @if viewer.may(Permission::EditPlans) {
            h2 { (tr.t("plan.new_action")) }
            form.stack method="post" action={"/communities/" (community.slug) "/plan/actions"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("plan.action")) input name="title" required; }
                label { (tr.t("plan.description")) textarea name="description" rows="3" {} }
                label { (tr.t("plan.lead")) input name="lead_partner" required; }
                label { (tr.t("plan.partners")) input name="partners"; }
                label { (tr.t("plan.targets")) input name="target_groups"; }
                label { (tr.t("plan.localities")) input name="localities"; }
                label { (tr.t("plan.start")) " (" (tr.t("plan.quarter_format")) ")" input name="start" value="1-1" required; }
                label { (tr.t("plan.end")) " (" (tr.t("plan.quarter_format")) ")" input name="end" value="1-4" required; }
                fieldset {
                    legend { (tr.t("plan.answers")) }
                    @for f in &accepted {
                        label.check { input type="checkbox" name="findings" value=(f.id)
                            checked[shown.finding.as_deref() == Some(f.id.to_string().as_str())];
                            " " (f.amended_statement.as_deref().unwrap_or(&f.statement)) }
                    }
                    @for d in &decisions {
                        label.check { input type="checkbox" name="decisions" value=(d.id); " " (tr.t(d.kind.label_key())) " : " (d.text) }
                    }
                }
                button.primary type="submit" { (tr.t("plan.add_action")) }
            }
        }
    };
    Ok(crate::pages::analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "plan.title",
        body,
    ))
}

/// `2-3`: year 2, quarter 3.
fn quarter(text: &str) -> Option<Quarter> {
    let (year, quarter) = text.trim().split_once('-')?;
    Quarter::new(year.trim().parse().ok()?, quarter.trim().parse().ok()?)
}

/// Adds an action to the community's plan (a draft plan is started if it has none). The
/// form's ticked findings and decisions come as repeated fields.
pub async fn add_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let path = format!("/communities/{slug}/plan/actions");
    viewer.require(&state, Permission::EditPlans, &path).await?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    viewer.check_csrf(field("csrf"))?;
    let tr = viewer.tr;
    let (_, community) = crate::pages::community_of(&state, &viewer, &slug).await?;
    let back =
        |query: String| Redirect::to(&format!("/communities/{slug}/plan?{query}")).into_response();
    let refused = |why: &str| back(format!("refused={}", crate::error::encode_query(why)));
    let (Some(start), Some(end)) = (quarter(field("start")), quarter(field("end"))) else {
        return Ok(refused(tr.t("plan.refused_quarter")));
    };
    if field("title").trim().is_empty() || field("lead_partner").trim().is_empty() {
        return Ok(refused(tr.t("plan.refused_fields")));
    }
    let ids = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let now = Timestamp::from_datetime(time::OffsetDateTime::now_utc());
    let existing = state.store.latest_plan(community.id).await?;
    let mut tx = state.store.begin().await?;
    let plan = match existing {
        Some(p) => p,
        None => {
            let p = ActionPlan {
                id: Id::new(),
                community_id: community.id,
                version: 1,
                status: PlanStatus::Draft,
                title: format!("{} — {}", tr.t("plan.title"), community.name),
                adopted_on: None,
                adopted_by_meeting: None,
                created_at: now,
            };
            tx.insert_plan(&p).await?;
            p
        }
    };
    let action = Action {
        id: Id::new(),
        plan_id: plan.id,
        title: field("title").trim().to_owned(),
        description: field("description").trim().to_owned(),
        lead_partner: field("lead_partner").trim().to_owned(),
        partners: field("partners")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        target_groups: field("target_groups").trim().to_owned(),
        localities: field("localities").trim().to_owned(),
        start,
        end,
        status: ActionStatus::Planned,
        pdsec_axis: None,
        risks: String::new(),
        resources: String::new(),
        origin_id: None,
        finding_ids: ids("findings")
            .iter()
            .filter_map(|i| i.parse().ok())
            .collect(),
        decision_ids: ids("decisions")
            .iter()
            .filter_map(|i| i.parse().ok())
            .collect(),
    };
    match tx.insert_action(&action).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(back("saved=1".into()))
        }
        Err(StoreError::Rule(rule)) => Ok(refused(&rule.to_string())),
        Err(e) => Err(e.into()),
    }
}
