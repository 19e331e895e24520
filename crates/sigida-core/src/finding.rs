//! Findings (*constats*) and their triangulation.
//!
//! A finding cites evidence from several source types; Sigida computes its convergence
//! from what the sources say ([`convergence`]), flags a finding resting on one source type,
//! and leaves the confidence level to the analyst.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::citation::{Citation, CitedValue};
use crate::community::Community;
use crate::geography::Locality;
use crate::{Id, Timestamp, vocabulary};

vocabulary! {
    Theme "theme" {
        Migration = "migration",
        Protection = "protection",
        Security = "security",
        Livelihoods = "livelihoods",
        Services = "services",
        SocialCohesion = "social_cohesion",
        Governance = "governance",
    }
}

vocabulary! {
    SourceType "source_type" {
        SurveyIndicator = "survey_indicator",
        KeyInformant = "key_informant",
        FocusGroup = "focus_group",
        FlowData = "flow_data",
        ServiceMap = "service_map",
        PraExercise = "pra_exercise",
        Secondary = "secondary",
    }
}

vocabulary! {
    /// What a piece of evidence says of the finding it is linked to.
    Stance "stance" {
        Supports = "supports",
        Partly = "partly",
        Contradicts = "contradicts",
    }
}

vocabulary! {
    Convergence "convergence" {
        Convergent = "convergent",
        Partial = "partial",
        Divergent = "divergent",
    }
}

vocabulary! {
    Confidence "confidence" {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

vocabulary! {
    /// Where a finding stands after the consultative meeting.
    ValidationStatus "validation" {
        Pending = "pending",
        Validated = "validated",
        Amended = "amended",
        Rejected = "rejected",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub id: Id<Finding>,
    pub community_id: Id<Community>,
    pub theme: Theme,
    pub statement: String,
    /// Set by the analyst; the convergence is computed, never typed in.
    pub confidence: Option<Confidence>,
    pub validation: ValidationStatus,
    /// The wording adopted by a meeting when it amended the finding; the original stays in `statement`.
    pub amended_statement: Option<String>,
    /// The localities it is about, when it is local (empty: the whole community).
    pub localities: Vec<Id<Locality>>,
    pub created_at: Timestamp,
}

impl Finding {
    /// Validated or amended by a meeting: what an action may answer.
    pub fn is_accepted(&self) -> bool {
        matches!(
            self.validation,
            ValidationStatus::Validated | ValidationStatus::Amended
        )
    }
}

/// A link from a finding to one piece of evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: Id<Evidence>,
    pub finding_id: Id<Finding>,
    pub source_type: SourceType,
    pub stance: Stance,
    /// What the source says, in one sentence, with its figure where there is one.
    pub summary: String,
    /// The source's reference: a [`Citation`]'s text form (`indicator|hh_member_abroad`).
    pub reference: String,
    /// What the source said when the evidence was written (or last re-read).
    pub cited: Option<CitedValue>,
}

impl Evidence {
    /// The typed source, when the reference is one (evidence written before citations were
    /// typed keeps its free reference).
    pub fn citation(&self) -> Option<Citation> {
        Citation::parse(&self.reference).ok()
    }

    /// The code of the indicator it cites, overall or one of its cells.
    pub fn indicator_code(&self) -> Option<String> {
        match self.citation()? {
            Citation::Indicator { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The triangulation of a finding's evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triangulation {
    /// `None` when the finding has no evidence yet.
    pub convergence: Option<Convergence>,
    pub source_types: BTreeSet<SourceType>,
    /// True when every piece of evidence comes from a single source type.
    pub single_source_type: bool,
}

/// The convergence rule, by source type (several interviews are one source type):
/// - a source type *agrees* when all its evidence supports, *disagrees* when any contradicts,
///   and is *mixed* otherwise (partly supporting);
/// - **convergent**: every source type agrees and there are at least two of them;
/// - **divergent**: at least half the source types disagree;
/// - **partial**: anything else, including a single agreeing source type.
pub fn convergence<'a>(evidence: impl IntoIterator<Item = &'a Evidence>) -> Triangulation {
    let evidence: Vec<&Evidence> = evidence.into_iter().collect();
    let source_types: BTreeSet<SourceType> = evidence.iter().map(|e| e.source_type).collect();
    if source_types.is_empty() {
        return Triangulation {
            convergence: None,
            source_types,
            single_source_type: false,
        };
    }
    let (mut agree, mut disagree) = (0usize, 0usize);
    for source in &source_types {
        let stances = evidence
            .iter()
            .filter(|e| e.source_type == *source)
            .map(|e| e.stance);
        let mut all_support = true;
        let mut any_contradict = false;
        for stance in stances {
            all_support &= stance == Stance::Supports;
            any_contradict |= stance == Stance::Contradicts;
        }
        if any_contradict {
            disagree += 1;
        } else if all_support {
            agree += 1;
        }
    }
    let total = source_types.len();
    let level = if disagree * 2 >= total {
        Convergence::Divergent
    } else if agree == total && total >= 2 {
        Convergence::Convergent
    } else {
        Convergence::Partial
    };
    Triangulation {
        convergence: Some(level),
        single_source_type: total == 1,
        source_types,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(source_type: SourceType, stance: Stance) -> Evidence {
        Evidence {
            id: Id::new(),
            finding_id: Id::from_seed(1),
            source_type,
            stance,
            summary: String::new(),
            reference: String::new(),
            cited: None,
        }
    }

    #[test]
    fn no_evidence_is_not_triangulated() {
        let t = convergence(&[]);
        assert_eq!(t.convergence, None);
        assert!(!t.single_source_type);
    }

    #[test]
    fn one_source_type_is_flagged_and_never_convergent() {
        let t = convergence(&[
            evidence(SourceType::KeyInformant, Stance::Supports),
            evidence(SourceType::KeyInformant, Stance::Supports),
        ]);
        assert!(t.single_source_type);
        assert_eq!(t.convergence, Some(Convergence::Partial));
    }

    #[test]
    fn two_agreeing_source_types_converge() {
        let t = convergence(&[
            evidence(SourceType::SurveyIndicator, Stance::Supports),
            evidence(SourceType::FocusGroup, Stance::Supports),
        ]);
        assert_eq!(t.convergence, Some(Convergence::Convergent));
        assert!(!t.single_source_type);
    }

    #[test]
    fn a_minority_of_contradicting_sources_makes_it_partial() {
        let t = convergence(&[
            evidence(SourceType::SurveyIndicator, Stance::Supports),
            evidence(SourceType::FocusGroup, Stance::Supports),
            evidence(SourceType::FlowData, Stance::Contradicts),
        ]);
        assert_eq!(t.convergence, Some(Convergence::Partial));
    }

    #[test]
    fn half_the_sources_contradicting_is_divergent() {
        let t = convergence(&[
            evidence(SourceType::SurveyIndicator, Stance::Supports),
            evidence(SourceType::FocusGroup, Stance::Contradicts),
        ]);
        assert_eq!(t.convergence, Some(Convergence::Divergent));
    }
}
