//! Action plans: a draft started with its first action, actions and their content (budget
//! lines, indicators, milestones) while the version is a draft, adoption by a meeting,
//! revision into the next version, follow-up (status, milestones reached, measurements), and
//! the plan's document. The store enforces the rules that guard stored plans (traceability,
//! frozen versions); the checks of what a person typed are here. Ids and instants are the
//! caller's.

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::meeting::{Decision, DecisionKind, Meeting};
use sigida_core::plan::{
    Action, ActionPlan, ActionStatus, BudgetLine, Measurement, Milestone, PlanIndicator, PlanStatus,
};
use sigida_core::{Id, Timestamp};
use sigida_store::{Store, StoreError};

use crate::{AppError, Refusal};

/// The draft a community's first action starts, when it has no plan yet.
#[derive(Clone, Debug)]
pub struct NewPlan {
    pub id: Id<ActionPlan>,
    pub title: String,
    pub at: Timestamp,
}

/// Adds an action to the community's latest plan, or to a new draft (`new_plan`) when it has
/// none, in one transaction: a refused action leaves no empty plan behind. The action needs a
/// title and a lead partner; the store refuses one that answers no validated finding and no
/// decision, and any change to an adopted version.
pub async fn add_action(
    store: &Store,
    community: &Community,
    new_plan: NewPlan,
    action: Action,
) -> Result<(ActionPlan, Action), AppError> {
    check_action(&action)?;
    let existing = store.latest_plan(community.id).await?;
    let mut tx = store.begin().await?;
    let plan = match existing {
        Some(p) => p,
        None => {
            let p = ActionPlan {
                id: new_plan.id,
                community_id: community.id,
                version: 1,
                status: PlanStatus::Draft,
                title: new_plan.title,
                adopted_on: None,
                adopted_by_meeting: None,
                created_at: new_plan.at,
            };
            tx.insert_plan(&p).await?;
            p
        }
    };
    let action = Action {
        plan_id: plan.id,
        ..action
    };
    tx.insert_action(&action).await?;
    tx.commit().await?;
    Ok((plan, action))
}

fn check_action(action: &Action) -> Result<(), Refusal> {
    if action.title.trim().is_empty() || action.lead_partner.trim().is_empty() {
        return Err(Refusal::new("plan.fields"));
    }
    Ok(())
}

/// Rewrites an action's content (its status and origin stay as they are).
pub async fn update_action(store: &Store, action: &Action) -> Result<(), AppError> {
    check_action(action)?;
    let mut tx = store.begin().await?;
    tx.update_action(action).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_action(store: &Store, action: Id<Action>) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.delete_action(action).await?;
    tx.commit().await?;
    Ok(())
}

/// A budget line: an item, a funding source, a year of the plan (1 to 4), an amount that a
/// total can hold.
pub async fn add_budget_line(store: &Store, line: &BudgetLine) -> Result<(), AppError> {
    if line.quantity < 0 || line.unit_cost_fcfa < 0 || line.total_fcfa().is_none() {
        return Err(Refusal::new("plan.amount").into());
    }
    if !(1..=4).contains(&line.year)
        || line.item.trim().is_empty()
        || line.funding_source.trim().is_empty()
    {
        return Err(Refusal::new("plan.line").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_budget_line(line).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_budget_line(
    store: &Store,
    action: Id<Action>,
    line: Id<BudgetLine>,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.delete_budget_line(action, line).await?;
    tx.commit().await?;
    Ok(())
}

/// An indicator of an action: a name and a unit.
pub async fn add_indicator(store: &Store, indicator: &PlanIndicator) -> Result<(), AppError> {
    if indicator.name.trim().is_empty() || indicator.unit.trim().is_empty() {
        return Err(Refusal::new("plan.indicator").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_plan_indicator(indicator).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_indicator(
    store: &Store,
    action: Id<Action>,
    indicator: Id<PlanIndicator>,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.delete_plan_indicator(action, indicator).await?;
    tx.commit().await?;
    Ok(())
}

/// A milestone of an action: a title (its due quarter is typed as a quarter already).
pub async fn add_milestone(store: &Store, milestone: &Milestone) -> Result<(), AppError> {
    if milestone.title.trim().is_empty() {
        return Err(Refusal::new("plan.milestone").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_milestone(milestone).await?;
    tx.commit().await?;
    Ok(())
}

/// A meeting of the community adopts the draft on a date; the adoption is also one of the
/// meeting's decisions, so the minutes carry it.
pub async fn adopt(
    store: &Store,
    plan: &ActionPlan,
    meeting: &Meeting,
    on: time::Date,
    decision: Id<Decision>,
    [text, taken_by]: [&str; 2],
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.adopt_plan(plan.id, meeting.id, on).await?;
    tx.insert_decision(&Decision {
        id: decision,
        meeting_id: meeting.id,
        kind: DecisionKind::PlanAdoption,
        text: text.to_owned(),
        taken_by: taken_by.to_owned(),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens the next version as a draft copy of the adopted one (content and follow-up carried,
/// each action keeping its origin).
pub async fn revise(
    store: &Store,
    plan: &ActionPlan,
    next: Id<ActionPlan>,
    at: Timestamp,
    fresh: impl FnMut() -> uuid::Uuid,
) -> Result<ActionPlan, AppError> {
    if plan.status == PlanStatus::Draft {
        return Err(Refusal::new("plan.already_draft").into());
    }
    let next = ActionPlan {
        id: next,
        version: plan.version + 1,
        status: PlanStatus::Draft,
        adopted_on: None,
        adopted_by_meeting: None,
        created_at: at,
        ..plan.clone()
    };
    let copy = store
        .plan_content(plan.id)
        .await?
        .carried_into(next.id, fresh);
    let mut tx = store.begin().await?;
    tx.insert_revision(&next, &copy).await?;
    tx.commit().await?;
    Ok(next)
}

/// Follow-up: where an action stands.
pub async fn set_status(
    store: &Store,
    action: Id<Action>,
    status: ActionStatus,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.set_action_status(action, status).await?;
    tx.commit().await?;
    Ok(())
}

/// Follow-up: a milestone reached on a date, or (`None`) not reached after all.
pub async fn milestone_done(
    store: &Store,
    action: Id<Action>,
    milestone: Id<Milestone>,
    on: Option<time::Date>,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.set_milestone_done(action, milestone, on).await?;
    tx.commit().await?;
    Ok(())
}

/// Follow-up: one measurement of an indicator.
pub async fn add_measurement(store: &Store, m: &Measurement) -> Result<(), AppError> {
    if !m.value.is_finite() {
        return Err(Refusal::new("plan.number").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_measurement(m).await?;
    tx.commit().await?;
    Ok(())
}

/// Everything a community's action plan document shows.
pub async fn plan_document(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    plan: &sigida_core::plan::ActionPlan,
    generated_on: time::Date,
    reader: Option<&sigida_core::access::User>,
) -> Result<sigida_report::plan::PlanDocument, StoreError> {
    // What the reader may see of it (a partner, its own actions); the whole plan for a command.
    let seen = |content: sigida_core::plan::PlanContent| match reader {
        Some(user) => content.seen_by(user),
        None => content,
    };
    let content = seen(store.plan_content(plan.id).await?);
    let totals =
        sigida_core::plan::budget_totals(&content.actions, &content.lines).ok_or_else(|| {
            StoreError::Refused(
                sigida_core::refusal::Refusal::new("plan.budget_overflow").arg("plan", &plan.title),
            )
        })?;
    let versions = store.plans(community.id).await?;
    let changes = match versions.iter().find(|v| v.version == plan.version - 1) {
        Some(before) => Some(sigida_core::plan::changes(
            &seen(store.plan_content(before.id).await?),
            &content,
        )),
        None => None,
    };
    Ok(sigida_report::plan::PlanDocument {
        versions,
        changes,
        diagnostic: diagnostic.clone(),
        community: community.clone(),
        plan: plan.clone(),
        content,
        findings: store.findings(community.id).await?,
        decisions: store.community_decisions(community.id).await?,
        totals,
        generated_on,
    })
}
