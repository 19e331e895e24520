//! Consultative meetings: the register of participants (no accounts), decisions.

use serde::{Deserialize, Serialize};

use crate::actors::{GroupKind, Level, StakeholderType};
use crate::community::Community;
use crate::personal::Personal;
use crate::{Id, Timestamp, vocabulary};

vocabulary! {
    Sex "sex" {
        Female = "female",
        Male = "male",
    }
}

vocabulary! {
    /// Age groups of the register; `youth` is the 18–35 band of Mali's youth policy.
    AgeGroup "age_group" {
        Under18 = "under_18",
        Youth = "18_35",
        Adult = "36_59",
        Elder = "60_plus",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: Id<Meeting>,
    pub community_id: Id<Community>,
    pub level: Level,
    pub title: String,
    /// Local date of the meeting (`2026-03-14`): names the minutes file.
    pub date: time::Date,
    pub place: String,
    pub facilitators: String,
    pub agenda: Vec<String>,
}

/// One person in the register. Only the name is personal; the rest is what the attendance
/// breakdown and the inclusion check need.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: Id<Participant>,
    pub meeting_id: Id<Meeting>,
    pub name: Option<Personal<String>>,
    pub sex: Sex,
    pub age_group: AgeGroup,
    pub stakeholder_type: Option<StakeholderType>,
    pub group: Option<GroupKind>,
    pub organisation: String,
    pub consent: bool,
    pub checked_in_at: Option<Timestamp>,
}

vocabulary! {
    DecisionKind "decision_kind" {
        FindingValidation = "finding_validation",
        Prioritisation = "prioritisation",
        LocalitySelection = "locality_selection",
        PlanAdoption = "plan_adoption",
        NextStep = "next_step",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: Id<Decision>,
    pub meeting_id: Id<Meeting>,
    pub kind: DecisionKind,
    pub text: String,
    /// Who took it (the plenary, a committee…), as the minutes say.
    pub taken_by: String,
}

/// Attendance shares the facilitator watches while the meeting runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inclusion {
    pub present: usize,
    pub women: usize,
    pub youth: usize,
    pub migrants_or_returnees: usize,
}

impl Inclusion {
    pub fn of(participants: &[Participant]) -> Self {
        let present: Vec<&Participant> = participants
            .iter()
            .filter(|p| p.checked_in_at.is_some())
            .collect();
        Self {
            present: present.len(),
            women: present.iter().filter(|p| p.sex == Sex::Female).count(),
            youth: present
                .iter()
                .filter(|p| p.age_group == AgeGroup::Youth)
                .count(),
            migrants_or_returnees: present
                .iter()
                .filter(|p| {
                    matches!(
                        p.group,
                        Some(GroupKind::Returnees | GroupKind::MigrantsInTransit)
                    )
                })
                .count(),
        }
    }

    /// A share in percent, or `None` when nobody is present.
    pub fn share(&self, count: usize) -> Option<f64> {
        (self.present > 0).then(|| 100.0 * count as f64 / self.present as f64)
    }
}
