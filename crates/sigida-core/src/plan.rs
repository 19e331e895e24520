//! Community action plans: actions, budget lines in FCFA, indicators and their measurements.
//!
//! Traceability is a rule, not a habit: an action must answer at least one validated
//! finding or a recorded decision ([`check_traceability`]).

use serde::{Deserialize, Serialize};

use crate::community::Community;
use crate::finding::Finding;
use crate::meeting::{Decision, Meeting};
use crate::{Id, Timestamp, vocabulary};

vocabulary! {
    PlanStatus "plan_status" {
        Draft = "draft",
        Adopted = "adopted",
        Revised = "revised",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionPlan {
    pub id: Id<ActionPlan>,
    pub community_id: Id<Community>,
    pub version: i64,
    pub status: PlanStatus,
    pub title: String,
    pub adopted_on: Option<time::Date>,
    pub adopted_by_meeting: Option<Id<Meeting>>,
    pub created_at: Timestamp,
}

vocabulary! {
    ActionStatus "action_status" {
        Planned = "planned",
        Ongoing = "ongoing",
        Done = "done",
        Delayed = "delayed",
        Cancelled = "cancelled",
    }
}

/// A quarter of the programme: year 1–4, quarter 1–4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quarter {
    pub year: u8,
    pub quarter: u8,
}

impl Quarter {
    pub fn new(year: u8, quarter: u8) -> Option<Self> {
        ((1..=4).contains(&year) && (1..=4).contains(&quarter)).then_some(Self { year, quarter })
    }

    /// Position 0..16 on the four-year timeline.
    pub fn index(self) -> u8 {
        (self.year - 1) * 4 + (self.quarter - 1)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub id: Id<Action>,
    pub plan_id: Id<ActionPlan>,
    pub title: String,
    pub description: String,
    pub lead_partner: String,
    pub partners: Vec<String>,
    pub target_groups: String,
    pub localities: String,
    pub start: Quarter,
    pub end: Quarter,
    pub status: ActionStatus,
    pub pdsec_axis: Option<String>,
    pub risks: String,
    pub finding_ids: Vec<Id<Finding>>,
    pub decision_ids: Vec<Id<Decision>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActionError {
    #[error("l'action « {0} » ne répond à aucun constat validé ni à aucune décision de réunion")]
    Untraced(String),
    #[error("l'action « {0} » finit avant de commencer")]
    EndsBeforeStart(String),
}

/// An action must answer at least one validated (or amended) finding or one recorded decision.
/// `validated` tells whether a finding id is validated or amended.
pub fn check_traceability(
    action: &Action,
    validated: impl Fn(Id<Finding>) -> bool,
) -> Result<(), ActionError> {
    if action.end < action.start {
        return Err(ActionError::EndsBeforeStart(action.title.clone()));
    }
    if action.decision_ids.is_empty() && !action.finding_ids.iter().any(|f| validated(*f)) {
        return Err(ActionError::Untraced(action.title.clone()));
    }
    Ok(())
}

/// A budget line in FCFA. FCFA has no subunit: amounts are whole francs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetLine {
    pub id: Id<BudgetLine>,
    pub action_id: Id<Action>,
    pub item: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_cost_fcfa: i64,
    pub funding_source: String,
    /// Programme year 1–4 in which it is spent.
    pub year: u8,
}

impl BudgetLine {
    /// `None` on overflow, which no real budget reaches but a typo can.
    pub fn total_fcfa(&self) -> Option<i64> {
        self.quantity.checked_mul(self.unit_cost_fcfa)
    }
}

/// A plan's budget added up: overall, by programme year, by funding source and by lead partner
/// (the partner that leads the action a line belongs to).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BudgetTotals {
    pub total: i64,
    /// Years 1 to 4.
    pub by_year: [i64; 4],
    pub by_source: std::collections::BTreeMap<String, i64>,
    pub by_partner: std::collections::BTreeMap<String, i64>,
}

/// Adds a plan's budget lines up; `None` on an overflow (a typing slip of many zeros).
pub fn budget_totals(actions: &[Action], lines: &[BudgetLine]) -> Option<BudgetTotals> {
    let mut t = BudgetTotals::default();
    for line in lines {
        let amount = line.total_fcfa()?;
        t.total = t.total.checked_add(amount)?;
        let year = usize::from(line.year.clamp(1, 4)) - 1;
        t.by_year[year] = t.by_year[year].checked_add(amount)?;
        let source = t.by_source.entry(line.funding_source.clone()).or_default();
        *source = source.checked_add(amount)?;
        let partner = actions
            .iter()
            .find(|a| a.id == line.action_id)
            .map_or_else(String::new, |a| a.lead_partner.clone());
        let lead = t.by_partner.entry(partner).or_default();
        *lead = lead.checked_add(amount)?;
    }
    Some(t)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanIndicator {
    pub id: Id<PlanIndicator>,
    pub action_id: Id<Action>,
    pub name: String,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub unit: String,
    pub means_of_verification: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub id: Id<Measurement>,
    pub indicator_id: Id<PlanIndicator>,
    pub measured_on: time::Date,
    pub value: f64,
    pub note: String,
    pub recorded_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_totals_add_up_every_way() {
        let action = |lead: &str| Action {
            id: Id::new(),
            plan_id: Id::new(),
            title: "Action".into(),
            description: String::new(),
            lead_partner: lead.into(),
            partners: vec![],
            target_groups: String::new(),
            localities: String::new(),
            start: Quarter {
                year: 1,
                quarter: 1,
            },
            end: Quarter {
                year: 1,
                quarter: 2,
            },
            status: ActionStatus::Planned,
            pdsec_axis: None,
            risks: String::new(),
            finding_ids: vec![],
            decision_ids: vec![],
        };
        let (a, b) = (action("Mairie"), action("OIM"));
        let line = |action: &Action, quantity, cost, source: &str, year| BudgetLine {
            id: Id::new(),
            action_id: action.id,
            item: "Article".into(),
            unit: "unité".into(),
            quantity,
            unit_cost_fcfa: cost,
            funding_source: source.into(),
            year,
        };
        let lines = [
            line(&a, 2, 150_000, "UE", 1),
            line(&a, 1, 50_000, "Commune", 2),
            line(&b, 10, 7_500, "UE", 2),
        ];
        let t = budget_totals(&[a, b], &lines).unwrap();
        assert_eq!(t.total, 300_000 + 50_000 + 75_000);
        assert_eq!(t.by_year, [300_000, 125_000, 0, 0]);
        assert_eq!(t.by_source["UE"], 375_000);
        assert_eq!(t.by_partner["Mairie"], 350_000);
        assert_eq!(t.by_year.iter().sum::<i64>(), t.total);
        let huge = [line(&action("x"), i64::MAX, 2, "UE", 1)];
        assert_eq!(budget_totals(&[], &huge), None);
    }

    fn action(findings: Vec<Id<Finding>>, decisions: Vec<Id<Decision>>) -> Action {
        Action {
            id: Id::new(),
            plan_id: Id::new(),
            title: "Sensibilisation".into(),
            description: String::new(),
            lead_partner: String::new(),
            partners: vec![],
            target_groups: String::new(),
            localities: String::new(),
            start: Quarter::new(1, 2).unwrap(),
            end: Quarter::new(2, 1).unwrap(),
            status: ActionStatus::Planned,
            pdsec_axis: None,
            risks: String::new(),
            finding_ids: findings,
            decision_ids: decisions,
        }
    }

    #[test]
    fn an_action_without_validated_finding_or_decision_is_refused() {
        let finding = Id::new();
        assert!(matches!(
            check_traceability(&action(vec![], vec![]), |_| true),
            Err(ActionError::Untraced(_))
        ));
        assert!(check_traceability(&action(vec![finding], vec![]), |_| false).is_err());
        assert!(check_traceability(&action(vec![finding], vec![]), |f| f == finding).is_ok());
        assert!(check_traceability(&action(vec![], vec![Id::new()]), |_| false).is_ok());
    }

    #[test]
    fn quarters_stay_within_the_four_years() {
        assert!(Quarter::new(5, 1).is_none());
        assert!(Quarter::new(1, 0).is_none());
        assert_eq!(Quarter::new(4, 4).unwrap().index(), 15);
    }

    #[test]
    fn budget_totals_are_exact_and_overflow_is_caught() {
        let mut line = BudgetLine {
            id: Id::new(),
            action_id: Id::new(),
            item: "Atelier".into(),
            unit: "jour".into(),
            quantity: 3,
            unit_cost_fcfa: 125_000,
            funding_source: "OIM".into(),
            year: 1,
        };
        assert_eq!(line.total_fcfa(), Some(375_000));
        line.quantity = i64::MAX;
        assert_eq!(line.total_fcfa(), None);
    }
}
