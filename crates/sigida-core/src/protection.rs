//! Protection and security risks by locality: what each source reports, and a severity on a
//! 1–5 scale computed by explicit rules. A locality and risk that no source has looked at is
//! "not assessed" — never 1 by default: "nothing was said" is not "nothing happens".
//!
//! The rules (shown to users in the UI, tested at each boundary):
//!
//! 1. No report for a locality and a risk: not assessed.
//! 2. Each report gets a level from what it measured — the share of respondents reporting the
//!    risk where they live (below 5 % → 1, from 5 % → 2, from 15 % → 3, from 30 % → 4, from
//!    50 % → 5) and the cases reported over the last three months (0 → 1, 1–4 → 2, 5–19 → 3,
//!    20–49 → 4, 50 or more → 5), the higher of the two when it has both; a report in words
//!    only gets 2 when it says the risk is present, 1 when it says it is absent.
//! 3. The locality's level for the risk is the highest level of its reports, held back by
//!    corroboration: 4 needs two types of source that report the risk (level 2 or more), 5
//!    needs three; with fewer, the level stops at 3 (or 4).

use time::Date;

use crate::community::Community;
use crate::finding::SourceType;
use crate::geography::Locality;
use crate::id::Id;
use crate::vocabulary;

vocabulary! {
    RiskType "risk" {
        Trafficking = "trafficking",
        ForcedLabour = "forced_labour",
        ArmedRecruitment = "armed_recruitment",
        GenderBasedViolence = "gbv",
        ChildProtection = "child_protection",
        DetentionExtortion = "detention_extortion",
        LackOfDocumentation = "lack_of_documentation",
    }
}

vocabulary! {
    /// The 1–5 scale, named as humanitarian severity scales name it.
    Severity "severity" {
        Minimal = "1",
        Stress = "2",
        Severe = "3",
        Extreme = "4",
        Catastrophic = "5",
    }
}

impl Severity {
    pub fn level(self) -> u8 {
        match self {
            Severity::Minimal => 1,
            Severity::Stress => 2,
            Severity::Severe => 3,
            Severity::Extreme => 4,
            Severity::Catastrophic => 5,
        }
    }

    fn from_level(level: u8) -> Severity {
        match level {
            0 | 1 => Severity::Minimal,
            2 => Severity::Stress,
            3 => Severity::Severe,
            4 => Severity::Extreme,
            _ => Severity::Catastrophic,
        }
    }
}

vocabulary! {
    /// What the community already has to protect its people, or could build on.
    CapacityKind "capacity" {
        CommunityMechanism = "community_mechanism",
        Leader = "leader",
        Association = "association",
        Opportunity = "opportunity",
    }
}

/// A protection capacity or opportunity: a vigilance committee, a respected imam, a women's
/// association, a programme about to start.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Capacity {
    pub id: Id<Capacity>,
    pub community_id: Id<Community>,
    /// `None`: the whole community.
    pub locality_id: Option<Id<Locality>>,
    pub kind: CapacityKind,
    pub name: String,
    pub description: String,
    /// The risks it helps with.
    pub risks: Vec<RiskType>,
}

/// What one source says of one risk in one locality.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RiskReport {
    pub id: Id<RiskReport>,
    pub community_id: Id<Community>,
    pub locality_id: Id<Locality>,
    pub risk: RiskType,
    pub source: SourceType,
    pub observed_on: Date,
    /// The share (0–1) of respondents who report the risk where they live, when a survey or
    /// a group exercise measured it.
    pub prevalence: Option<f64>,
    /// Cases reported over the last three months (services, committees, informants).
    pub incidents: Option<u32>,
    /// In words: the source says the risk is present.
    pub present: bool,
    pub note: String,
    /// Where the report comes from: typed by a person, or derived from what Sigida holds.
    pub origin: ReportOrigin,
}

/// How a risk report came to be: entered (a protection monitor, a service provider, the
/// team), or derived when read from an indicator or a qualitative code linked to the risk.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub enum ReportOrigin {
    #[default]
    Entered,
    /// The indicator's value in the locality (its code).
    Indicator(String),
    /// A note of the locality whose excerpts carry the code (the code, the note's code).
    Code { code: String, note: String },
}

/// A report that cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum RiskReportError {
    Prevalence(f64),
}

impl RiskReportError {
    pub fn refusal(&self) -> crate::refusal::Refusal {
        match self {
            RiskReportError::Prevalence(p) => {
                crate::refusal::Refusal::new("protection.prevalence").arg("share", p.to_string())
            }
        }
    }
}

impl RiskReport {
    pub fn check(&self) -> Result<(), RiskReportError> {
        match self.prevalence {
            Some(p) if !(0.0..=1.0).contains(&p) => Err(RiskReportError::Prevalence(p)),
            _ => Ok(()),
        }
    }

    /// Rule 2: the level this report alone gives.
    pub fn severity(&self) -> Severity {
        let from_share = self.prevalence.map(|p| match p {
            p if p >= 0.50 => 5,
            p if p >= 0.30 => 4,
            p if p >= 0.15 => 3,
            p if p >= 0.05 => 2,
            _ => 1,
        });
        let from_cases = self.incidents.map(|n| match n {
            0 => 1,
            1..=4 => 2,
            5..=19 => 3,
            20..=49 => 4,
            _ => 5,
        });
        let level = match (from_share, from_cases) {
            (None, None) => {
                if self.present {
                    2
                } else {
                    1
                }
            }
            (a, b) => a.unwrap_or(0).max(b.unwrap_or(0)),
        };
        Severity::from_level(level)
    }

    /// Whether the report says the risk is there (its own level is 2 or more).
    pub fn reports_risk(&self) -> bool {
        self.severity().level() >= 2
    }
}

/// The severity of one risk in one locality, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assessment {
    /// `None`: not assessed (rule 1).
    pub severity: Option<Severity>,
    /// The level before corroboration held it back (rule 3), when it did.
    pub uncorroborated: Option<Severity>,
    /// How many distinct types of source report the risk.
    pub corroborating_sources: usize,
    pub reports: usize,
}

/// Rules 1 and 3 over the reports of one locality and one risk.
pub fn assess<'a>(reports: impl IntoIterator<Item = &'a RiskReport>) -> Assessment {
    let reports: Vec<&RiskReport> = reports.into_iter().collect();
    let Some(highest) = reports.iter().map(|r| r.severity().level()).max() else {
        return Assessment {
            severity: None,
            uncorroborated: None,
            corroborating_sources: 0,
            reports: 0,
        };
    };
    let mut sources: Vec<SourceType> = reports
        .iter()
        .filter(|r| r.reports_risk())
        .map(|r| r.source)
        .collect();
    sources.sort();
    sources.dedup();
    let cap = match sources.len() {
        0..=1 => 3,
        2 => 4,
        _ => 5,
    };
    let level = highest.min(cap);
    Assessment {
        severity: Some(Severity::from_level(level)),
        uncorroborated: (level < highest).then(|| Severity::from_level(highest)),
        corroborating_sources: sources.len(),
        reports: reports.len(),
    }
}

/// Every locality × risk of a community: `grid[locality][risk]` in the order given.
pub fn severity_grid(
    localities: &[Id<Locality>],
    risks: &[RiskType],
    reports: &[RiskReport],
) -> Vec<Vec<Assessment>> {
    localities
        .iter()
        .map(|&l| {
            risks
                .iter()
                .map(|&risk| {
                    assess(
                        reports
                            .iter()
                            .filter(|r| r.locality_id == l && r.risk == risk),
                    )
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn report(
        source: SourceType,
        prevalence: Option<f64>,
        incidents: Option<u32>,
        present: bool,
    ) -> RiskReport {
        RiskReport {
            id: Id::new(),
            community_id: Id::new(),
            locality_id: Id::new(),
            risk: RiskType::Trafficking,
            source,
            observed_on: date!(2026 - 02 - 10),
            prevalence,
            incidents,
            present,
            note: String::new(),
            origin: ReportOrigin::Entered,
        }
    }

    fn level(prevalence: Option<f64>, incidents: Option<u32>) -> u8 {
        report(SourceType::SurveyIndicator, prevalence, incidents, false)
            .severity()
            .level()
    }

    #[test]
    fn shares_turn_into_levels_at_5_15_30_and_50_percent() {
        let cases = [
            (0.0, 1),
            (0.0499, 1),
            (0.05, 2),
            (0.1499, 2),
            (0.15, 3),
            (0.2999, 3),
            (0.30, 4),
            (0.4999, 4),
            (0.50, 5),
            (1.0, 5),
        ];
        for (share, expected) in cases {
            assert_eq!(level(Some(share), None), expected, "share {share}");
        }
    }

    #[test]
    fn cases_turn_into_levels_at_1_5_20_and_50() {
        for (cases, expected) in [
            (0, 1),
            (1, 2),
            (4, 2),
            (5, 3),
            (19, 3),
            (20, 4),
            (49, 4),
            (50, 5),
        ] {
            assert_eq!(level(None, Some(cases)), expected, "{cases} cases");
        }
        assert_eq!(level(Some(0.02), Some(7)), 3, "the higher of the two");
    }

    #[test]
    fn words_alone_give_2_or_1() {
        assert_eq!(
            report(SourceType::KeyInformant, None, None, true).severity(),
            Severity::Stress
        );
        assert_eq!(
            report(SourceType::KeyInformant, None, None, false).severity(),
            Severity::Minimal
        );
    }

    #[test]
    fn no_report_is_not_assessed_never_1() {
        let a = assess(&[]);
        assert_eq!(a.severity, None);
        let quiet = [report(SourceType::FocusGroup, None, None, false)];
        assert_eq!(
            assess(&quiet).severity,
            Some(Severity::Minimal),
            "a source that looked and saw nothing"
        );
    }

    #[test]
    fn high_levels_need_corroboration() {
        let survey = report(SourceType::SurveyIndicator, Some(0.55), None, true);
        let alone = assess([&survey]);
        assert_eq!(
            alone.severity,
            Some(Severity::Severe),
            "one source type stops at 3"
        );
        assert_eq!(alone.uncorroborated, Some(Severity::Catastrophic));
        let informant = report(SourceType::KeyInformant, None, None, true);
        let two = assess([&survey, &informant]);
        assert_eq!(
            two.severity,
            Some(Severity::Extreme),
            "two source types reach 4"
        );
        let group = report(SourceType::FocusGroup, None, Some(3), false);
        let three = assess([&survey, &informant, &group]);
        assert_eq!(three.severity, Some(Severity::Catastrophic));
        assert_eq!(
            (three.corroborating_sources, three.uncorroborated),
            (3, None)
        );
        // Two reports of the same type of source corroborate nothing.
        let again = report(SourceType::SurveyIndicator, Some(0.6), None, true);
        assert_eq!(assess([&survey, &again]).severity, Some(Severity::Severe));
        // A source that saw nothing does not corroborate.
        let quiet = report(SourceType::FocusGroup, Some(0.01), None, false);
        assert_eq!(assess([&survey, &quiet]).severity, Some(Severity::Severe));
    }

    #[test]
    fn the_grid_covers_every_locality_and_risk() {
        let mut r = report(SourceType::KeyInformant, None, Some(6), true);
        let (here, there) = (r.locality_id, Id::new());
        r.risk = RiskType::ForcedLabour;
        let grid = severity_grid(
            &[here, there],
            &[RiskType::Trafficking, RiskType::ForcedLabour],
            &[r],
        );
        assert_eq!(grid[0][0].severity, None);
        assert_eq!(grid[0][1].severity, Some(Severity::Severe));
        assert_eq!(grid[1][1].severity, None, "no report there: not assessed");
    }

    #[test]
    fn shares_outside_0_1_are_refused() {
        assert!(
            report(SourceType::SurveyIndicator, Some(1.2), None, true)
                .check()
                .is_err()
        );
        assert!(
            report(SourceType::SurveyIndicator, Some(0.2), None, true)
                .check()
                .is_ok()
        );
    }
}
