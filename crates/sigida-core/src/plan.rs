//! Community action plans: actions, budget lines in FCFA, indicators and their measurements.
//!
//! Traceability is a rule, not a habit: an action must answer at least one validated
//! finding or a recorded decision ([`check_traceability`]).

use std::collections::HashMap;

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
    /// The objective it serves, as the community's objectives tree words it (its centre or one
    /// of its means); empty when none was chosen.
    pub objective: String,
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
    /// Human and material resources beside the budget (staff, vehicles, premises).
    pub resources: String,
    pub finding_ids: Vec<Id<Finding>>,
    pub decision_ids: Vec<Id<Decision>>,
    /// The action of the previous version this one was carried from (what a revision changed
    /// is read along this link, so that renaming an action is a change, not a removal).
    pub origin_id: Option<Id<Action>>,
}

/// People read its [`ActionError::refusal`] translated; the log prints that code and its values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum ActionError {
    Untraced(String),
    EndsBeforeStart(String),
    Frozen(i64),
}

impl ActionError {
    /// The refusal a person reads: `plan.untraced`, `plan.ends_before_start`, `plan.frozen`.
    pub fn refusal(&self) -> crate::refusal::Refusal {
        use crate::refusal::Refusal;
        match self {
            ActionError::Untraced(a) => Refusal::new("plan.untraced").arg("action", a),
            ActionError::EndsBeforeStart(a) => {
                Refusal::new("plan.ends_before_start").arg("action", a)
            }
            ActionError::Frozen(v) => Refusal::new("plan.frozen").arg("version", v.to_string()),
        }
    }
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

/// A step of an action that the follow-up ticks off: due in a quarter, reached on a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: Id<Milestone>,
    pub action_id: Id<Action>,
    pub title: String,
    pub due: Quarter,
    pub done_on: Option<time::Date>,
}

/// How far an indicator has come from its baseline towards its target, as a share (0 = at
/// the baseline, 1 = target reached; below 0 when it moved away). `None` without a baseline,
/// a target or a measurement, or when baseline and target are equal.
pub fn progress_share(indicator: &PlanIndicator, latest: Option<f64>) -> Option<f64> {
    let (baseline, target, value) = (indicator.baseline?, indicator.target?, latest?);
    let span = target - baseline;
    (span.abs() > f64::EPSILON).then(|| (value - baseline) / span)
}

/// Everything one version of a plan holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PlanContent {
    pub actions: Vec<Action>,
    pub lines: Vec<BudgetLine>,
    pub indicators: Vec<PlanIndicator>,
    pub milestones: Vec<Milestone>,
    pub measurements: Vec<Measurement>,
}

impl PlanContent {
    /// What `user` may see of the plan, by the one rule every page, download and document
    /// follows ([`User::may_see_action`]): a partner viewer, the actions its organisation
    /// leads with their budget, indicators, measurements and milestones; every other role, all.
    ///
    /// [`User::may_see_action`]: crate::access::User::may_see_action
    pub fn seen_by(mut self, user: &crate::access::User) -> Self {
        self.actions.retain(|a| user.may_see_action(a));
        let actions: Vec<Id<Action>> = self.actions.iter().map(|a| a.id).collect();
        self.lines.retain(|l| actions.contains(&l.action_id));
        self.indicators.retain(|i| actions.contains(&i.action_id));
        self.milestones.retain(|m| actions.contains(&m.action_id));
        let indicators: Vec<Id<PlanIndicator>> = self.indicators.iter().map(|i| i.id).collect();
        self.measurements
            .retain(|m| indicators.contains(&m.indicator_id));
        self
    }

    pub fn action(&self, id: Id<Action>) -> Option<&Action> {
        self.actions.iter().find(|a| a.id == id)
    }

    /// The title of one of its actions ("" for an id it does not hold).
    pub fn action_title(&self, id: Id<Action>) -> &str {
        self.action(id).map_or("", |a| a.title.as_str())
    }

    /// An indicator's most recent measurement.
    pub fn latest_measurement(&self, indicator: Id<PlanIndicator>) -> Option<&Measurement> {
        self.measurements
            .iter()
            .filter(|m| m.indicator_id == indicator)
            .max_by_key(|m| m.measured_on)
    }

    /// The content carried into a new version of the plan: every row gets a fresh id from
    /// `fresh`, each action remembers the one it came from, and the follow-up so far (statuses,
    /// milestones reached, measurements) comes along, since the revised plan is the one followed.
    pub fn carried_into(
        &self,
        plan: Id<ActionPlan>,
        mut fresh: impl FnMut() -> uuid::Uuid,
    ) -> PlanContent {
        let mut actions = HashMap::new();
        let mut indicators = HashMap::new();
        let mut out = PlanContent::default();
        for a in &self.actions {
            let id = Id::from_uuid(fresh());
            actions.insert(a.id, id);
            out.actions.push(Action {
                id,
                plan_id: plan,
                origin_id: Some(a.id),
                ..a.clone()
            });
        }
        for l in &self.lines {
            if let Some(&action_id) = actions.get(&l.action_id) {
                out.lines.push(BudgetLine {
                    id: Id::from_uuid(fresh()),
                    action_id,
                    ..l.clone()
                });
            }
        }
        for i in &self.indicators {
            if let Some(&action_id) = actions.get(&i.action_id) {
                let id = Id::from_uuid(fresh());
                indicators.insert(i.id, id);
                out.indicators.push(PlanIndicator {
                    id,
                    action_id,
                    ..i.clone()
                });
            }
        }
        for m in &self.milestones {
            if let Some(&action_id) = actions.get(&m.action_id) {
                out.milestones.push(Milestone {
                    id: Id::from_uuid(fresh()),
                    action_id,
                    ..m.clone()
                });
            }
        }
        for m in &self.measurements {
            if let Some(&indicator_id) = indicators.get(&m.indicator_id) {
                out.measurements.push(Measurement {
                    id: Id::from_uuid(fresh()),
                    indicator_id,
                    ..m.clone()
                });
            }
        }
        out
    }

    fn budget_of(&self, action: Id<Action>) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.action_id == action)
            .map(|l| l.total_fcfa().unwrap_or(0))
            .fold(0, i64::saturating_add)
    }

    fn indicators_of(&self, action: Id<Action>) -> String {
        let mut shown: Vec<String> = self
            .indicators
            .iter()
            .filter(|i| i.action_id == action)
            .map(|i| {
                let target = i.target.map_or_else(|| "—".to_owned(), |t| t.to_string());
                format!("{} → {} {}", i.name, target, i.unit)
            })
            .collect();
        shown.sort();
        shown.join(" ; ")
    }
}

/// A value as a change shows it; the page formats it in its language.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Shown {
    Text(String),
    Fcfa(i64),
    Quarter(Quarter),
}

/// One field of an action that differs between two versions; `field` is its catalogue key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: Shown,
    pub after: Shown,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Change {
    Added {
        title: String,
    },
    Removed {
        title: String,
    },
    Changed {
        title: String,
        fields: Vec<FieldChange>,
    },
}

/// What changed from one version of a plan to the next: actions added, removed, and for each
/// action carried over, the fields that differ (its budget and indicators included). The
/// follow-up (status, milestones reached, measurements) is not a change of the plan.
pub fn changes(before: &PlanContent, after: &PlanContent) -> Vec<Change> {
    let mut out = Vec::new();
    for a in &after.actions {
        let Some(old) = a
            .origin_id
            .and_then(|o| before.actions.iter().find(|b| b.id == o))
        else {
            out.push(Change::Added {
                title: a.title.clone(),
            });
            continue;
        };
        let text = |s: &str| Shown::Text(s.to_owned());
        let mut fields = Vec::new();
        let mut compare = |field: &'static str, b: Shown, n: Shown| {
            if b != n {
                fields.push(FieldChange {
                    field,
                    before: b,
                    after: n,
                });
            }
        };
        compare("plan.action", text(&old.title), text(&a.title));
        compare("plan.objective", text(&old.objective), text(&a.objective));
        compare(
            "plan.description",
            text(&old.description),
            text(&a.description),
        );
        compare("plan.lead", text(&old.lead_partner), text(&a.lead_partner));
        compare(
            "plan.partners",
            text(&old.partners.join(", ")),
            text(&a.partners.join(", ")),
        );
        compare(
            "plan.targets",
            text(&old.target_groups),
            text(&a.target_groups),
        );
        compare(
            "plan.localities",
            text(&old.localities),
            text(&a.localities),
        );
        compare(
            "plan.start",
            Shown::Quarter(old.start),
            Shown::Quarter(a.start),
        );
        compare("plan.end", Shown::Quarter(old.end), Shown::Quarter(a.end));
        compare(
            "plan.pdsec",
            text(old.pdsec_axis.as_deref().unwrap_or("")),
            text(a.pdsec_axis.as_deref().unwrap_or("")),
        );
        compare("plan.risks", text(&old.risks), text(&a.risks));
        compare("plan.resources", text(&old.resources), text(&a.resources));
        compare(
            "plan.budget",
            Shown::Fcfa(before.budget_of(old.id)),
            Shown::Fcfa(after.budget_of(a.id)),
        );
        compare(
            "plan.indicators",
            Shown::Text(before.indicators_of(old.id)),
            Shown::Text(after.indicators_of(a.id)),
        );
        if !fields.is_empty() {
            out.push(Change::Changed {
                title: a.title.clone(),
                fields,
            });
        }
    }
    for old in &before.actions {
        if !after.actions.iter().any(|a| a.origin_id == Some(old.id)) {
            out.push(Change::Removed {
                title: old.title.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_totals_add_up_every_way() {
        let action = |lead: &str| Action {
            id: Id::new(),
            plan_id: Id::new(),
            objective: String::new(),
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
            resources: String::new(),
            finding_ids: vec![],
            decision_ids: vec![],
            origin_id: None,
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
            objective: String::new(),
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
            resources: String::new(),
            finding_ids: findings,
            decision_ids: decisions,
            origin_id: None,
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
    fn a_revision_carries_everything_and_its_changes_are_read_along_origins() {
        let mut seed = 1000u128;
        let mut fresh = || {
            seed += 1;
            uuid::Uuid::from_u128(seed)
        };
        let mut kept = action(vec![], vec![Id::new()]);
        kept.title = "Audiences foraines".into();
        let dropped = action(vec![], vec![Id::new()]);
        let indicator = PlanIndicator {
            id: Id::new(),
            action_id: kept.id,
            name: "Actes de naissance délivrés".into(),
            baseline: Some(0.0),
            target: Some(400.0),
            unit: "actes".into(),
            means_of_verification: "Registres".into(),
        };
        let v1 = PlanContent {
            actions: vec![kept.clone(), dropped.clone()],
            lines: vec![BudgetLine {
                id: Id::new(),
                action_id: kept.id,
                item: "Audience".into(),
                unit: "jour".into(),
                quantity: 4,
                unit_cost_fcfa: 100_000,
                funding_source: "OIM".into(),
                year: 1,
            }],
            indicators: vec![indicator.clone()],
            milestones: vec![],
            measurements: vec![Measurement {
                id: Id::new(),
                indicator_id: indicator.id,
                measured_on: time::macros::date!(2026 - 06 - 30),
                value: 120.0,
                note: String::new(),
                recorded_by: "oim".into(),
            }],
        };
        let plan = Id::new();
        let mut v2 = v1.carried_into(plan, &mut fresh);
        assert_eq!(v2.actions.len(), 2);
        assert!(
            v2.actions
                .iter()
                .all(|a| a.plan_id == plan && a.origin_id.is_some())
        );
        assert_ne!(v2.actions[0].id, kept.id);
        assert_eq!(v2.measurements[0].indicator_id, v2.indicators[0].id);
        assert_eq!(v2.lines[0].action_id, v2.actions[0].id);
        assert!(changes(&v1, &v2).is_empty(), "a copy changes nothing");

        v2.actions[0].title = "Audiences foraines et cartes d'identité".into();
        v2.actions[0].end = Quarter::new(3, 4).unwrap();
        v2.lines[0].quantity = 6;
        v2.indicators[0].target = Some(600.0);
        v2.actions.retain(|a| a.origin_id != Some(dropped.id));
        let added = action(vec![], vec![Id::new()]);
        v2.actions.push(Action {
            title: "Comité de veille".into(),
            plan_id: plan,
            ..added
        });
        let found = changes(&v1, &v2);
        let Some(Change::Changed { title, fields }) = found.first() else {
            panic!("the renamed action is a change: {found:?}");
        };
        assert_eq!(title, "Audiences foraines et cartes d'identité");
        let named: Vec<&str> = fields.iter().map(|f| f.field).collect();
        assert_eq!(
            named,
            ["plan.action", "plan.end", "plan.budget", "plan.indicators"]
        );
        assert_eq!(fields[2].before, Shown::Fcfa(400_000));
        assert_eq!(fields[2].after, Shown::Fcfa(600_000));
        assert!(found.contains(&Change::Added {
            title: "Comité de veille".into()
        }));
        assert!(found.contains(&Change::Removed {
            title: "Sensibilisation".into()
        }));
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn progress_is_the_share_of_the_way_from_baseline_to_target() {
        let mut i = PlanIndicator {
            id: Id::new(),
            action_id: Id::new(),
            name: "Cas référés".into(),
            baseline: Some(20.0),
            target: Some(60.0),
            unit: "%".into(),
            means_of_verification: String::new(),
        };
        assert_eq!(progress_share(&i, Some(40.0)), Some(0.5));
        assert_eq!(progress_share(&i, Some(10.0)), Some(-0.25));
        assert_eq!(progress_share(&i, None), None);
        // A falling target (fewer incidents): halfway down is halfway there.
        i.baseline = Some(30.0);
        i.target = Some(10.0);
        assert_eq!(progress_share(&i, Some(20.0)), Some(0.5));
        i.target = Some(30.0);
        assert_eq!(progress_share(&i, Some(20.0)), None);
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
