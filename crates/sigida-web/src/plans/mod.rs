//! Each community's action plan: its actions (what answers which finding, who leads, the
//! budget, indicators, milestones), its adoption and revisions, and the follow-up over four
//! years.

pub mod action;
pub mod plan;
pub mod progress;

use sigida_core::access::Permission::{EditPlans, ReportProgress, ViewDiagnostic};

use crate::http::routes::{
    Access::{AnyOf, Needs},
    Entry, Loads, get, post,
};

/// The roles that edit plans, and the partners who report on the actions they lead (the page
/// checks which).
const FOLLOWING: &[sigida_core::access::Permission] = &[EditPlans, ReportProgress];

pub fn routes() -> Vec<Entry> {
    use Loads::{Action, Community, Nothing};
    vec![
        get(
            "/communities/{slug}/plan",
            Needs(ViewDiagnostic),
            Community,
            plan::plan_page,
        ),
        post(
            "/communities/{slug}/plan/actions",
            Needs(EditPlans),
            Community,
            plan::add_action,
        ),
        post(
            "/communities/{slug}/plan/adopt",
            Needs(EditPlans),
            Community,
            plan::adopt,
        ),
        post(
            "/communities/{slug}/plan/revise",
            Needs(EditPlans),
            Community,
            plan::revise,
        ),
        get(
            "/actions/{id}",
            Needs(ViewDiagnostic),
            Action,
            action::action_page,
        ),
        post(
            "/actions/{id}/edit",
            Needs(EditPlans),
            Action,
            action::edit_action,
        ),
        post(
            "/actions/{id}/delete",
            Needs(EditPlans),
            Action,
            action::delete_action,
        ),
        post(
            "/actions/{id}/budget",
            Needs(EditPlans),
            Action,
            action::add_budget_line,
        ),
        post(
            "/actions/{id}/budget/{line}/delete",
            Needs(EditPlans),
            Action,
            action::delete_budget_line,
        ),
        post(
            "/actions/{id}/indicators",
            Needs(EditPlans),
            Action,
            action::add_indicator,
        ),
        post(
            "/actions/{id}/indicators/{indicator}/delete",
            Needs(EditPlans),
            Action,
            action::delete_indicator,
        ),
        post(
            "/actions/{id}/milestones",
            Needs(EditPlans),
            Action,
            action::add_milestone,
        ),
        post(
            "/actions/{id}/milestones/{milestone}/done",
            AnyOf(FOLLOWING),
            Action,
            action::milestone_done,
        ),
        post(
            "/actions/{id}/measurements",
            AnyOf(FOLLOWING),
            Action,
            action::add_measurement,
        ),
        post(
            "/actions/{id}/status",
            AnyOf(FOLLOWING),
            Action,
            progress::set_status,
        ),
        get(
            "/progress",
            Needs(ViewDiagnostic),
            Nothing,
            progress::progress,
        ),
        get(
            "/progress/modele.csv",
            Needs(ViewDiagnostic),
            Nothing,
            progress::template,
        ),
        post(
            "/progress/import",
            AnyOf(FOLLOWING),
            Nothing,
            progress::import_measurements,
        ),
    ]
}
