//! Consultative meetings: the register of participants (no accounts), the questions put to
//! them and their ballots (one per participant per question, from a phone, or counted on paper
//! or by show of hands), decisions.

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
    /// The short code the participant types (or scans) on a phone to vote: no account.
    pub check_code: String,
}

/// Letters and digits nobody confuses when reading them off a screen (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A check-in code from random bytes: six characters of [`CODE_ALPHABET`].
pub fn check_code(random: [u8; 6]) -> String {
    random
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect()
}

vocabulary! {
    QuestionKind "question_kind" {
        /// One option among several (a priority, a locality, yes or no).
        Choice = "choice",
        /// A finding put to the meeting: validated, amended or rejected.
        FindingValidation = "finding_validation",
    }
}

vocabulary! {
    BallotSource "ballot_source" {
        Phone = "phone",
        Paper = "paper",
        ShowOfHands = "show_of_hands",
    }
}

/// The options of a finding's validation.
pub const VALIDATION_OPTIONS: [&str; 3] = ["validated", "amended", "rejected"];

/// A question put to the meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: Id<Question>,
    pub meeting_id: Id<Meeting>,
    /// Order on the agenda.
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Option codes (their labels are the codes, or the validation vocabulary).
    pub options: Vec<String>,
    pub finding_id: Option<Id<crate::finding::Finding>>,
    /// Ballots are taken only while the question is open.
    pub open: bool,
}

impl Question {
    /// A finding put to the meeting: validated, amended or rejected.
    pub fn validation_of(
        id: Id<Question>,
        meeting_id: Id<Meeting>,
        position: i64,
        finding: &crate::finding::Finding,
        open: bool,
    ) -> Question {
        Question {
            id,
            meeting_id,
            position,
            kind: QuestionKind::FindingValidation,
            prompt: finding.statement.clone(),
            options: VALIDATION_OPTIONS.map(String::from).to_vec(),
            finding_id: Some(finding.id),
            open,
        }
    }
}

/// A participant's ballot: one per participant per question; casting again replaces it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ballot {
    pub question_id: Id<Question>,
    pub participant_id: Id<Participant>,
    pub option: String,
    pub cast_at: Timestamp,
}

/// Votes the facilitator counted without phones: on paper or by show of hands, for a group or
/// for everyone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountedVotes {
    pub id: Id<CountedVotes>,
    pub question_id: Id<Question>,
    pub option: String,
    pub count: u32,
    pub source: BallotSource,
    pub group: Option<GroupKind>,
    pub entered_at: Timestamp,
}

/// One option's votes by where they come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OptionTally {
    pub option: String,
    pub phone: u64,
    pub paper: u64,
    pub show_of_hands: u64,
}

impl OptionTally {
    pub fn total(&self) -> u64 {
        self.phone + self.paper + self.show_of_hands
    }
}

/// A question's results: every option, overall and by socio-economic group (`None`: the
/// participant or count gave no group).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    pub overall: Vec<OptionTally>,
    pub by_group: Vec<(Option<GroupKind>, Vec<OptionTally>)>,
}

/// Counts a question's phone ballots (by the voter's group) and the counted votes.
pub fn tally(
    question: &Question,
    ballots: &[Ballot],
    participants: &[Participant],
    counted: &[CountedVotes],
) -> Tally {
    let blank = || -> Vec<OptionTally> {
        question
            .options
            .iter()
            .map(|o| OptionTally {
                option: o.clone(),
                ..OptionTally::default()
            })
            .collect()
    };
    let mut overall = blank();
    let mut groups: Vec<(Option<GroupKind>, Vec<OptionTally>)> = Vec::new();
    let mut add = |group: Option<GroupKind>, option: &str, source: BallotSource, n: u64| {
        let Some(i) = question.options.iter().position(|o| o == option) else {
            return;
        };
        let slot = match groups.iter().position(|(g, _)| *g == group) {
            Some(p) => p,
            None => {
                groups.push((group, blank()));
                groups.len() - 1
            }
        };
        for row in [&mut overall[i], &mut groups[slot].1[i]] {
            match source {
                BallotSource::Phone => row.phone += n,
                BallotSource::Paper => row.paper += n,
                BallotSource::ShowOfHands => row.show_of_hands += n,
            }
        }
    };
    for b in ballots.iter().filter(|b| b.question_id == question.id) {
        let group = participants
            .iter()
            .find(|p| p.id == b.participant_id)
            .and_then(|p| p.group);
        add(group, &b.option, BallotSource::Phone, 1);
    }
    for c in counted.iter().filter(|c| c.question_id == question.id) {
        add(c.group, &c.option, c.source, u64::from(c.count));
    }
    groups.sort_by_key(|(g, _)| g.map(|g| g.code()));
    Tally {
        overall,
        by_group: groups,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(group: Option<GroupKind>) -> Participant {
        Participant {
            id: Id::new(),
            meeting_id: Id::new(),
            name: None,
            sex: Sex::Female,
            age_group: AgeGroup::Youth,
            stakeholder_type: None,
            group,
            organisation: String::new(),
            consent: true,
            checked_in_at: None,
            check_code: "ABC234".into(),
        }
    }

    #[test]
    fn a_tally_adds_phones_paper_and_hands_overall_and_by_group() {
        let question = Question {
            id: Id::new(),
            meeting_id: Id::new(),
            position: 1,
            kind: QuestionKind::Choice,
            prompt: "Priorité ?".into(),
            options: vec!["eau".into(), "emploi".into()],
            finding_id: None,
            open: true,
        };
        let women = participant(Some(GroupKind::Women));
        let youth = participant(Some(GroupKind::Youth));
        let at = Timestamp::from_unix_seconds(0).unwrap();
        let ballot = |p: &Participant, option: &str| Ballot {
            question_id: question.id,
            participant_id: p.id,
            option: option.into(),
            cast_at: at,
        };
        let ballots = [ballot(&women, "eau"), ballot(&youth, "emploi")];
        let counted = [CountedVotes {
            id: Id::new(),
            question_id: question.id,
            option: "eau".into(),
            count: 7,
            source: BallotSource::Paper,
            group: Some(GroupKind::Women),
            entered_at: at,
        }];
        let t = tally(&question, &ballots, &[women, youth], &counted);
        assert_eq!(t.overall[0].phone, 1);
        assert_eq!(t.overall[0].paper, 7);
        assert_eq!(t.overall[0].total(), 8);
        assert_eq!(t.overall[1].total(), 1);
        let women_row = &t
            .by_group
            .iter()
            .find(|(g, _)| *g == Some(GroupKind::Women))
            .unwrap()
            .1;
        assert_eq!(women_row[0].total(), 8);
        assert_eq!(women_row[1].total(), 0);
    }

    #[test]
    fn check_codes_avoid_letters_read_as_digits() {
        let code = check_code([0, 8, 14, 255, 30, 31]);
        assert_eq!(code.len(), 6);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
    }
}
