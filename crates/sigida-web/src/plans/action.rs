//! One action of a plan (`/actions/<id>`): what it answers, its budget lines, indicators with
//! their measurements, milestones and status. Its content is edited while its plan version is a
//! draft, by the roles that edit plans; its follow-up (status, milestones reached, measurements)
//! by them or by the partner whose organisation leads it. A partner viewer never sees another
//! organisation's action.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::Id;
use sigida_core::access::Permission;
use sigida_core::finding::Finding;
use sigida_core::meeting::Decision;
use sigida_core::plan::{
    Action, ActionPlan, ActionStatus, BudgetLine, Measurement, Milestone, PlanIndicator,
    PlanStatus, Quarter, progress_share,
};
use sigida_formats::{parse_date, parse_typed_number};
use sigida_report::plan::quarter_label;
use sigida_report::{Tr, format};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;
use crate::http::form::Fields;
use crate::http::routes::Loaded;
use sigida_app::AppError;
use sigida_app::plans;

/// `2-3`: year 2, quarter 3.
pub(crate) fn quarter(text: &str) -> Option<Quarter> {
    let (year, quarter) = text.trim().split_once('-')?;
    Quarter::new(year.trim().parse().ok()?, quarter.trim().parse().ok()?)
}

fn quarter_text(q: Quarter) -> String {
    format!("{}-{}", q.year, q.quarter)
}

/// The fields an action form carries, read and checked: `Err` holds the catalogue key of what
/// is wrong.
pub(crate) fn action_fields(
    fields: &Fields,
    id: Id<Action>,
    plan: Id<ActionPlan>,
) -> Result<Action, &'static str> {
    let (Some(start), Some(end)) = (quarter(fields.get("start")), quarter(fields.get("end")))
    else {
        return Err("plan.quarter");
    };
    if fields.get("title").is_empty() || fields.get("lead_partner").is_empty() {
        return Err("plan.fields");
    }
    let pdsec = fields.get("pdsec_axis");
    Ok(Action {
        id,
        plan_id: plan,
        objective: fields.get("objective").to_owned(),
        title: fields.get("title").to_owned(),
        description: fields.get("description").to_owned(),
        lead_partner: fields.get("lead_partner").to_owned(),
        partners: fields
            .get("partners")
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        target_groups: fields.get("target_groups").to_owned(),
        localities: fields.get("localities").to_owned(),
        start,
        end,
        status: ActionStatus::Planned,
        pdsec_axis: (!pdsec.is_empty()).then(|| pdsec.to_owned()),
        risks: fields.get("risks").to_owned(),
        resources: fields.get("resources").to_owned(),
        finding_ids: fields
            .all("findings")
            .filter_map(|i| i.parse().ok())
            .collect(),
        decision_ids: fields
            .all("decisions")
            .filter_map(|i| i.parse().ok())
            .collect(),
        origin_id: None,
    })
}

/// The form that adds an action (`current` = None) or rewrites one; `ticked` is a finding to
/// tick from the start (the link from the findings page).
pub(crate) fn action_form(
    viewer: &Viewer,
    target: &str,
    current: Option<&Action>,
    answerable: &Answerable,
    choices: &FormLists,
    ticked: Option<&str>,
) -> Markup {
    let accepted: Vec<&Finding> = answerable.accepted().collect();
    let decisions = &answerable.decisions;
    let tr = viewer.tr;
    let value = |f: fn(&Action) -> String| current.map(f).unwrap_or_default();
    let answers_finding = |f: &Finding| {
        current.map_or(ticked == Some(f.id.to_string().as_str()), |a| {
            a.finding_ids.contains(&f.id)
        })
    };
    html! {
        form.stack method="post" action=(target) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            label { (tr.t("plan.action")) input name="title" required value=(value(|a| a.title.clone())); }
            label { (tr.t("plan.objective")) select name="objective" {
                option value="" { "—" }
                @let chosen = value(|a| a.objective.clone());
                @if !chosen.is_empty() && !choices.objectives.contains(&chosen) { option value=(chosen) selected { (chosen) } }
                @for o in &choices.objectives { option value=(o) selected[*o == chosen] { (o) } }
            } }
            label { (tr.t("plan.description")) textarea name="description" rows="3" { (value(|a| a.description.clone())) } }
            label { (tr.t("plan.lead")) input name="lead_partner" list="plan-partners" required value=(value(|a| a.lead_partner.clone())); }
            label { (tr.t("plan.partners")) " " span.note { (tr.t("plan.comma_separated")) } input name="partners" value=(value(|a| a.partners.join(", "))); }
            label { (tr.t("plan.targets")) input name="target_groups" list="plan-groups" value=(value(|a| a.target_groups.clone())); }
            label { (tr.t("plan.localities")) input name="localities" value=(current.map_or_else(|| choices.localities.join(", "), |a| a.localities.clone())); }
            datalist id="plan-partners" { @for p in &choices.partners { option value=(p) {} } }
            datalist id="plan-groups" { @for g in &choices.groups { option value=(g) {} } }
            label { (tr.t("plan.start")) " (" (tr.t("plan.quarter_format")) ")"
                input name="start" required value=(current.map_or("1-1".into(), |a| quarter_text(a.start))); }
            label { (tr.t("plan.end")) " (" (tr.t("plan.quarter_format")) ")"
                input name="end" required value=(current.map_or("1-4".into(), |a| quarter_text(a.end))); }
            label { (tr.t("plan.pdsec")) input name="pdsec_axis" value=(value(|a| a.pdsec_axis.clone().unwrap_or_default())); }
            label { (tr.t("plan.risks")) textarea name="risks" rows="2" { (value(|a| a.risks.clone())) } }
            label { (tr.t("plan.resources")) textarea name="resources" rows="2" { (value(|a| a.resources.clone())) } }
            fieldset {
                legend { (tr.t("plan.answers")) }
                @if accepted.is_empty() && decisions.is_empty() { p.note { (tr.t("plan.nothing_to_answer")) } }
                @for f in &accepted {
                    label.check { input type="checkbox" name="findings" value=(f.id) checked[answers_finding(f)];
                        " " (f.amended_statement.as_deref().unwrap_or(&f.statement)) }
                }
                @for d in decisions {
                    label.check { input type="checkbox" name="decisions" value=(d.id)
                        checked[current.is_some_and(|a| a.decision_ids.contains(&d.id))];
                        " " (tr.t(d.kind.label_key())) " : " (d.text) }
                }
            }
            button.primary type="submit" { (tr.t(if current.is_some() { "plan.save_action" } else { "plan.add_action" })) }
        }
    }
}

/// Refuses (and audits) a partner asking for another organisation's action, as a missing
/// right to edit plans.
async fn visible(state: &AppState, viewer: &Viewer, action: &Action) -> Result<(), WebError> {
    if viewer.user.may_see_action(action) {
        return Ok(());
    }
    viewer
        .require(
            state,
            Permission::EditPlans,
            &format!("/actions/{}", action.id),
        )
        .await
}

/// What an action may answer: the findings of its community (the accepted ones can be
/// answered) and the decisions of its meetings.
pub(crate) struct Answerable {
    pub findings: Vec<Finding>,
    pub decisions: Vec<Decision>,
}

impl Answerable {
    pub(crate) async fn of(
        state: &AppState,
        community: Id<sigida_core::community::Community>,
    ) -> Result<Answerable, WebError> {
        Ok(Answerable {
            findings: state.store.findings(community).await?,
            decisions: state.store.community_decisions(community).await?,
        })
    }

    pub(crate) fn accepted(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_accepted())
    }
}

/// What the action form offers besides: the objectives of the community's objectives trees,
/// and, to pick from as one types, its stakeholders and service providers, groups and
/// localities. Loaded only where the form is shown.
pub(crate) struct FormLists {
    pub objectives: Vec<String>,
    pub partners: Vec<String>,
    pub groups: Vec<String>,
    /// The localities a meeting selected (named in its latest selection decision), else all
    /// of the community's: an action's localities by default.
    pub localities: Vec<String>,
}

pub(crate) async fn form_lists(
    state: &AppState,
    community: &sigida_core::community::Community,
    decisions: &[Decision],
) -> Result<FormLists, WebError> {
    use sigida_core::exercises::ExerciseData;
    let mut objectives = Vec::new();
    for e in state.store.exercises(community.id).await? {
        if let ExerciseData::ObjectivesTree(tree) = e.data {
            objectives.push(tree.core);
            objectives.extend(tree.below);
        }
    }
    let mut partners: Vec<String> = state
        .store
        .stakeholders(community.diagnostic_id, Some(community.id))
        .await?
        .into_iter()
        .map(|s| s.organisation)
        .chain(
            state
                .store
                .service_providers(community.id)
                .await?
                .into_iter()
                .map(|p| p.organisation),
        )
        .collect();
    partners.sort();
    partners.dedup();
    let all: Vec<String> = state
        .store
        .localities(community.id)
        .await?
        .into_iter()
        .map(|l| l.name)
        .collect();
    let selection = decisions
        .iter()
        .rev()
        .find(|d| d.kind == sigida_core::meeting::DecisionKind::LocalitySelection);
    let selected: Vec<String> = selection.map_or_else(Vec::new, |d| {
        all.iter()
            .filter(|l| d.text.contains(l.as_str()))
            .cloned()
            .collect()
    });
    let localities = if selected.is_empty() { all } else { selected };
    Ok(FormLists {
        objectives,
        partners,
        groups: state
            .store
            .groups(community.id)
            .await?
            .into_iter()
            .map(|g| g.name)
            .collect(),
        localities,
    })
}

#[derive(Deserialize, Default)]
pub struct Outcome {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    refused: Option<String>,
}

/// How far an indicator has come, as a bar and a percentage.
pub(crate) fn progress_cell(tr: Tr, indicator: &PlanIndicator, latest: Option<f64>) -> Markup {
    match progress_share(indicator, latest) {
        None => html! { "—" },
        Some(share) => {
            let shown = share.clamp(0.0, 1.0);
            html! {
                meter min="0" max="1" value=(format!("{shown:.3}")) title=(format::percent(tr, Some(share))) {}
                " " (format::percent(tr, Some(share)))
            }
        }
    }
}

pub async fn action_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Query(outcome): Query<Outcome>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    visible(&state, &viewer, &action).await?;
    let content = state.store.plan_content(plan.id).await?;
    let lines: Vec<&BudgetLine> = content
        .lines
        .iter()
        .filter(|l| l.action_id == action.id)
        .collect();
    let indicators: Vec<&PlanIndicator> = content
        .indicators
        .iter()
        .filter(|i| i.action_id == action.id)
        .collect();
    let milestones: Vec<&Milestone> = content
        .milestones
        .iter()
        .filter(|m| m.action_id == action.id)
        .collect();
    let answerable = Answerable::of(&state, community.id).await?;
    let (findings, decisions) = (&answerable.findings, &answerable.decisions);
    let adopted_by = match plan.adopted_by_meeting {
        Some(m) => state.store.meeting(m).await?,
        None => None,
    };
    let editable = viewer.may(Permission::EditPlans) && plan.status == PlanStatus::Draft;
    let lists = if editable {
        Some(form_lists(&state, &community, decisions).await?)
    } else {
        None
    };
    let followable = viewer.user.may_update_action(&action);
    let total: i64 = lines
        .iter()
        .map(|l| l.total_fcfa().unwrap_or(0))
        .fold(0, i64::saturating_add);
    let base = format!("/actions/{}", action.id);
    let today = time::OffsetDateTime::now_utc().date();
    let statement = |id| {
        findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.amended_statement.as_deref().unwrap_or(&f.statement))
    };
    let body = html! {
        h1 { (action.title) }
        p.note {
            a href={"/communities/" (community.slug) "/plan?version=" (plan.version)} { (plan.title) }
            " — v" (plan.version) " · " (tr.t(plan.status.label_key()))
            @if let Some(on) = plan.adopted_on {
                " " (tr.t("plan.on")) " " (format::date(tr, on))
                @if let Some(m) = &adopted_by { " — " (m.title) }
            }
        }
        @if outcome.saved.is_some() { p.notice role="status" { (tr.t("progress.saved")) } }
        @if let Some(why) = crate::http::error::shown_refusal(tr, outcome.refused.as_deref()) { p.alert role="alert" { (why) } }
        @if !editable && viewer.may(Permission::EditPlans) { p.note { (tr.t("plan.frozen_note")) } }
        @if !action.description.is_empty() { p { (action.description) } }
        dl.identity {
            @if !action.objective.is_empty() { dt { (tr.t("plan.objective")) } dd { (action.objective) } }
            dt { (tr.t("plan.lead")) } dd { (action.lead_partner) }
            dt { (tr.t("plan.partners")) } dd { (action.partners.join(", ")) }
            dt { (tr.t("plan.targets")) } dd { (action.target_groups) }
            dt { (tr.t("plan.localities")) } dd { (action.localities) }
            dt { (tr.t("plan.when")) } dd { (quarter_label(tr, action.start)) " → " (quarter_label(tr, action.end)) }
            @if let Some(axis) = &action.pdsec_axis { dt { (tr.t("plan.pdsec")) } dd { (axis) } }
            dt { (tr.t("plan.risks")) } dd { (action.risks) }
            dt { (tr.t("plan.resources")) } dd { (action.resources) }
            dt { (tr.t("plan.budget")) } dd { strong { (format::fcfa(tr, total)) } }
            dt { (tr.t("plan.status")) } dd {
                @if followable {
                    form.inline method="post" action={(base) "/status"} {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="back" value="action";
                        select name="status" aria-label=(tr.t("plan.status")) {
                            @for s in ActionStatus::ALL { option value=(s.code()) selected[*s == action.status] { (tr.t(s.label_key())) } }
                        }
                        button type="submit" { (tr.t("progress.update")) }
                    }
                } @else { (tr.t(action.status.label_key())) }
            }
        }
        h2 { (tr.t("plan.answers")) }
        ul {
            @for f in &action.finding_ids { @if let Some(s) = statement(*f) {
                li { (tr.t("plan.finding")) " : " a href={"/communities/" (community.slug) "/findings#constat-" (f)} { (s) } }
            } }
            @for d in &action.decision_ids { @if let Some(d) = decisions.iter().find(|x| x.id == *d) {
                li { (tr.t("plan.decision")) " (" (tr.t(d.kind.label_key())) ") : " (d.text) }
            } }
        }

        h2 id="indicateurs" { (tr.t("plan.indicators")) }
        @if indicators.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("plan.indicator")) }
                    th scope="col" class="num" { (tr.t("plan.baseline")) }
                    th scope="col" class="num" { (tr.t("plan.target")) }
                    th scope="col" class="num" { (tr.t("progress.latest")) }
                    th scope="col" { (tr.t("progress.progress")) }
                    th scope="col" { (tr.t("plan.verification")) }
                    @if editable { th scope="col" {} }
                } }
                tbody { @for i in &indicators {
                    @let latest = content.latest_measurement(i.id);
                    tr {
                        th scope="row" { (i.name) " (" (i.unit) ")" }
                        td.num data-label=(tr.t("plan.baseline")) { (format::figure_or_dash(tr, i.baseline)) }
                        td.num data-label=(tr.t("plan.target")) { (format::figure_or_dash(tr, i.target)) }
                        td.num data-label=(tr.t("progress.latest")) { @match latest {
                            Some(m) => { (format::figure(tr, m.value)) br; span.note { (format::date(tr, m.measured_on)) } },
                            None => "—",
                        } }
                        td data-label=(tr.t("progress.progress")) { (progress_cell(tr, i, latest.map(|m| m.value))) }
                        td data-label=(tr.t("plan.verification")) { (i.means_of_verification) }
                        @if editable { td { form.inline method="post" action={(base) "/indicators/" (i.id) "/delete"} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button type="submit" { (tr.t("plan.delete")) }
                        } } }
                    }
                } }
            } }
            @for i in &indicators {
                @let of_indicator: Vec<&Measurement> = content.measurements.iter().filter(|m| m.indicator_id == i.id).collect();
                @if !of_indicator.is_empty() { (sigida_report::plan::trajectory(tr, i, &of_indicator)) }
            }
            h3 { (tr.t("progress.measurements")) }
            @let history: Vec<&Measurement> = content.measurements.iter().filter(|m| indicators.iter().any(|i| i.id == m.indicator_id)).collect();
            @if history.is_empty() { p.note { (tr.t("progress.no_measurement")) } } @else {
                div.table-wrap { table.stack {
                    thead { tr {
                        th scope="col" { (tr.t("plan.indicator")) }
                        th scope="col" { (tr.t("progress.date")) }
                        th scope="col" class="num" { (tr.t("progress.value")) }
                        th scope="col" { (tr.t("progress.note")) }
                        th scope="col" { (tr.t("progress.recorded_by")) }
                    } }
                    tbody { @for m in history.iter().rev() { tr {
                        th scope="row" { (indicators.iter().find(|i| i.id == m.indicator_id).map_or("", |i| i.name.as_str())) }
                        td data-label=(tr.t("progress.date")) { (format::date(tr, m.measured_on)) }
                        td.num data-label=(tr.t("progress.value")) { (format::figure(tr, m.value)) }
                        td data-label=(tr.t("progress.note")) { (m.note) }
                        td data-label=(tr.t("progress.recorded_by")) { (m.recorded_by) }
                    } } }
                } }
            }
            @if followable {
                form.stack method="post" action={(base) "/measurements"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { (tr.t("plan.indicator")) select name="indicator" {
                        @for i in &indicators { option value=(i.id) { (i.name) } }
                    } }
                    label { (tr.t("progress.date")) input type="date" name="date" required value=(today.to_string()); }
                    label { (tr.t("progress.value")) input name="value" inputmode="decimal" required; }
                    label { (tr.t("progress.note")) input name="note"; }
                    button.primary type="submit" { (tr.t("progress.record_measurement")) }
                }
            }
        }
        @if editable {
            details { summary { (tr.t("plan.add_indicator")) }
                form.stack method="post" action={(base) "/indicators"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { (tr.t("plan.indicator")) input name="name" required; }
                    label { (tr.t("plan.unit")) input name="unit" required; }
                    label { (tr.t("plan.baseline")) input name="baseline" inputmode="decimal"; }
                    label { (tr.t("plan.target")) input name="target" inputmode="decimal"; }
                    label { (tr.t("plan.verification")) input name="means_of_verification"; }
                    button.primary type="submit" { (tr.t("plan.add_indicator")) }
                }
            }
        }

        h2 id="jalons" { (tr.t("plan.milestones")) }
        @if milestones.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("plan.milestone")) }
                    th scope="col" { (tr.t("plan.due")) }
                    th scope="col" { (tr.t("plan.reached_on")) }
                } }
                tbody { @for m in &milestones { tr {
                    th scope="row" { (m.title) }
                    td { (quarter_label(tr, m.due)) }
                    td {
                        @if let Some(on) = m.done_on { (format::date(tr, on)) " " }
                        @if followable {
                            form.inline method="post" action={(base) "/milestones/" (m.id) "/done"} {
                                input type="hidden" name="csrf" value=(viewer.csrf);
                                @if m.done_on.is_none() {
                                    input type="date" name="date" required value=(today.to_string()) aria-label=(tr.t("plan.reached_on"));
                                    button type="submit" { (tr.t("plan.mark_reached")) }
                                } @else {
                                    button type="submit" { (tr.t("plan.mark_not_reached")) }
                                }
                            }
                        } @else if m.done_on.is_none() { "—" }
                    }
                } } }
            } }
        }
        @if editable {
            details { summary { (tr.t("plan.add_milestone")) }
                form.stack method="post" action={(base) "/milestones"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { (tr.t("plan.milestone")) input name="title" required; }
                    label { (tr.t("plan.due")) " (" (tr.t("plan.quarter_format")) ")" input name="due" required value=(quarter_text(action.end)); }
                    button.primary type="submit" { (tr.t("plan.add_milestone")) }
                }
            }
        }

        h2 id="budget" { (tr.t("plan.budget_lines")) }
        @if lines.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("plan.item")) }
                    th scope="col" class="num" { (tr.t("plan.quantity")) }
                    th scope="col" { (tr.t("plan.unit")) }
                    th scope="col" class="num" { (tr.t("plan.unit_cost")) }
                    th scope="col" class="num" { (tr.t("plan.amount")) }
                    th scope="col" { (tr.t("plan.source")) }
                    th scope="col" class="num" { (tr.t("plan.year")) }
                    @if editable { th scope="col" {} }
                } }
                tbody {
                    @for l in &lines { tr {
                        th scope="row" { (l.item) }
                        td.num { (format::integer(tr, l.quantity)) }
                        td { (l.unit) }
                        td.num { (format::fcfa(tr, l.unit_cost_fcfa)) }
                        td.num { (format::fcfa(tr, l.total_fcfa().unwrap_or(0))) }
                        td { (l.funding_source) }
                        td.num { (l.year) }
                        @if editable { td { form.inline method="post" action={(base) "/budget/" (l.id) "/delete"} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button type="submit" { (tr.t("plan.delete")) }
                        } } }
                    } }
                    tr { th scope="row" { (tr.t("flows.total")) } td {} td {} td {} td.num { strong { (format::fcfa(tr, total)) } } td {} td {} @if editable { td {} } }
                }
            } }
        }
        @if editable {
            details { summary { (tr.t("plan.add_line")) }
                form.stack method="post" action={(base) "/budget"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { (tr.t("plan.item")) input name="item" required; }
                    label { (tr.t("plan.unit")) input name="unit" required; }
                    label { (tr.t("plan.quantity")) input name="quantity" inputmode="numeric" required; }
                    label { (tr.t("plan.unit_cost")) " (FCFA)" input name="unit_cost" inputmode="numeric" required; }
                    label { (tr.t("plan.source")) input name="funding_source" required; }
                    label { (tr.t("plan.year")) select name="year" { @for y in 1..=4 { option value=(y) { (y) } } } }
                    button.primary type="submit" { (tr.t("plan.add_line")) }
                }
            }
            @if let Some(lists) = &lists { details { summary { (tr.t("plan.edit_action")) }
                (action_form(&viewer, &format!("{base}/edit"), Some(&action), &answerable, lists, None))
            } }
            form.inline method="post" action={(base) "/delete"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                button type="submit" { (tr.t("plan.delete_action")) }
            }
        }
    };
    Ok(crate::http::layout::page(
        &viewer,
        "/progress",
        &action.title,
        diagnostic.synthetic,
        body,
    ))
}

/// Refuses a form with the refusal's code, back on the action's page.
fn refuse(action: Id<Action>, code: &str) -> Result<Response, WebError> {
    Ok(back_to(action, Err(code)))
}

fn back_to(action: Id<Action>, outcome: Result<(), &str>) -> Response {
    let query = match outcome {
        Ok(()) => "saved=1".to_owned(),
        Err(code) => format!("refused={code}"),
    };
    Redirect::to(&format!("/actions/{action}?{query}")).into_response()
}

/// A use-case's answer on the action's page: saved, or its refusal (a frozen version, an
/// untraced action) with nothing written.
pub(crate) fn settle(
    result: Result<(), AppError>,
    action: Id<Action>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(back_to(action, Ok(()))),
        Err(AppError::Refused(r)) => Ok(back_to(action, Err(r.code))),
        Err(e) => Err(e.into()),
    }
}

/// An identifier from the path; a malformed one is a page that does not exist.
fn path_id<T>(viewer: &Viewer, text: &str) -> Result<Id<T>, WebError> {
    text.parse().map_err(|_| viewer.not_found())
}

/// Checks what every change of an action's content needs beyond the route's right to edit
/// plans: the CSRF token, and an action the viewer may see.
async fn editing(
    state: &AppState,
    viewer: &Viewer,
    plan: ActionPlan,
    action: Action,
    fields: &Fields,
) -> Result<(ActionPlan, Action), WebError> {
    viewer.check_csrf(fields.get("csrf"))?;
    visible(state, viewer, &action).await?;
    Ok((plan, action))
}

/// The same for follow-up: the roles that edit plans, or the partner that leads the action.
pub(crate) async fn following(
    state: &AppState,
    viewer: &Viewer,
    plan: ActionPlan,
    action: Action,
    fields: &Fields,
) -> Result<(ActionPlan, Action), WebError> {
    viewer.check_csrf(fields.get("csrf"))?;
    visible(state, viewer, &action).await?;
    if !viewer.user.may_update_action(&action) {
        // Refused, and the refusal audited, as a missing permission.
        viewer
            .require(
                state,
                Permission::EditPlans,
                &format!("/actions/{}", action.id),
            )
            .await?;
    }
    Ok((plan, action))
}

pub async fn edit_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (plan, current) = editing(&state, &viewer, plan, action, &fields).await?;
    let action = match action_fields(&fields, current.id, plan.id) {
        Ok(a) => Action {
            status: current.status,
            origin_id: current.origin_id,
            ..a
        },
        Err(code) => return refuse(current.id, code),
    };
    settle(
        plans::update_action(&state.store, &action).await,
        current.id,
    )
}

pub async fn delete_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    InCommunity { community, .. }: InCommunity,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = editing(&state, &viewer, plan, action, &fields).await?;
    match plans::delete_action(&state.store, action.id).await {
        Err(AppError::Refused(r)) => Ok(back_to(action.id, Err(r.code))),
        Err(e) => Err(e.into()),
        Ok(()) => {
            let slug = community.slug;
            Ok(Redirect::to(&format!("/communities/{slug}/plan?saved=1")).into_response())
        }
    }
}

pub async fn add_budget_line(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = editing(&state, &viewer, plan, action, &fields).await?;
    let whole = |name: &str| {
        parse_typed_number(fields.get(name)).filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v < 1e15)
    };
    let (Some(quantity), Some(unit_cost)) = (whole("quantity"), whole("unit_cost")) else {
        return refuse(action.id, "plan.amount");
    };
    let year = fields
        .get("year")
        .parse::<u8>()
        .ok()
        .filter(|y| (1..=4).contains(y));
    let (Some(year), false, false) = (
        year,
        fields.get("item").is_empty(),
        fields.get("funding_source").is_empty(),
    ) else {
        return refuse(action.id, "plan.line");
    };
    let line = BudgetLine {
        id: Id::new(),
        action_id: action.id,
        item: fields.get("item").to_owned(),
        unit: fields.get("unit").to_owned(),
        quantity: quantity as i64,
        unit_cost_fcfa: unit_cost as i64,
        funding_source: fields.get("funding_source").to_owned(),
        year,
    };
    settle(plans::add_budget_line(&state.store, &line).await, action.id)
}

pub async fn delete_budget_line(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Path((_, line)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = editing(&state, &viewer, plan, action, &fields).await?;
    let line = path_id(&viewer, &line)?;
    settle(
        plans::delete_budget_line(&state.store, action.id, line).await,
        action.id,
    )
}

pub async fn add_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = editing(&state, &viewer, plan, action, &fields).await?;
    let optional = |name: &str| -> Result<Option<f64>, ()> {
        let text = fields.get(name);
        if text.is_empty() {
            Ok(None)
        } else {
            parse_typed_number(text).map(Some).ok_or(())
        }
    };
    let (Ok(baseline), Ok(target)) = (optional("baseline"), optional("target")) else {
        return refuse(action.id, "plan.number");
    };
    let indicator = PlanIndicator {
        id: Id::new(),
        action_id: action.id,
        name: fields.get("name").to_owned(),
        baseline,
        target,
        unit: fields.get("unit").to_owned(),
        means_of_verification: fields.get("means_of_verification").to_owned(),
    };
    settle(
        plans::add_indicator(&state.store, &indicator).await,
        action.id,
    )
}

pub async fn delete_indicator(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Path((_, indicator)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = editing(&state, &viewer, plan, action, &fields).await?;
    let indicator = path_id(&viewer, &indicator)?;
    settle(
        plans::delete_indicator(&state.store, action.id, indicator).await,
        action.id,
    )
}

pub async fn add_milestone(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = editing(&state, &viewer, plan, action, &fields).await?;
    let (Some(due), false) = (quarter(fields.get("due")), fields.get("title").is_empty()) else {
        return refuse(action.id, "plan.milestone");
    };
    let milestone = Milestone {
        id: Id::new(),
        action_id: action.id,
        title: fields.get("title").to_owned(),
        due,
        done_on: None,
    };
    settle(
        plans::add_milestone(&state.store, &milestone).await,
        action.id,
    )
}

/// Marks a milestone reached on the date given, or (without a date) not reached after all.
pub async fn milestone_done(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Path((_, milestone)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (_, action) = following(&state, &viewer, plan, action, &fields).await?;
    let milestone = path_id(&viewer, &milestone)?;
    let on = match fields.get("date") {
        "" => None,
        text => match parse_date(text) {
            Some(d) => Some(d),
            None => {
                return refuse(action.id, "progress.date");
            }
        },
    };
    settle(
        plans::milestone_done(&state.store, action.id, milestone, on).await,
        action.id,
    )
}

pub async fn add_measurement(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(plan): Loaded<ActionPlan>,
    Loaded(action): Loaded<Action>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    let (plan, action) = following(&state, &viewer, plan, action, &fields).await?;
    let indicator = state
        .store
        .plan_indicators(plan.id)
        .await?
        .into_iter()
        .find(|i| i.action_id == action.id && i.id.to_string() == fields.get("indicator"))
        .ok_or_else(|| viewer.not_found())?;
    let Some(measured_on) = parse_date(fields.get("date")) else {
        return refuse(action.id, "progress.date");
    };
    let Some(value) = parse_typed_number(fields.get("value")) else {
        return refuse(action.id, "plan.number");
    };
    let measurement = Measurement {
        id: Id::new(),
        indicator_id: indicator.id,
        measured_on,
        value,
        note: fields.get("note").to_owned(),
        recorded_by: viewer.user.username.clone(),
    };
    settle(
        plans::add_measurement(&state.store, &measurement).await,
        action.id,
    )
}
