//! Service providers as a 4W map read against the needs: which sectors each locality has,
//! where a protection risk found severe has no service to answer it (a gap), and the referral
//! pathway for each type of case — the standard steps, filled with the providers that exist.

use crate::actors::{Sector, ServiceProvider};
use crate::geography::Locality;
use crate::id::Id;
use crate::protection::{Assessment, RiskType, Severity};

/// The services that answer a type of case, in the order a case is referred through them
/// (the usual inter-agency pathways: health first where there is violence, then psychosocial
/// support, legal aid, shelter).
pub fn pathway(case: RiskType) -> &'static [Sector] {
    use Sector::*;
    match case {
        RiskType::Trafficking => &[Health, Psychosocial, Shelter, Legal, Documentation],
        RiskType::ForcedLabour => &[Health, Legal, Livelihoods],
        RiskType::ArmedRecruitment => &[ChildProtection, Psychosocial, Education, Livelihoods],
        RiskType::GenderBasedViolence => &[Health, Gbv, Psychosocial, Legal, Shelter],
        RiskType::ChildProtection => &[ChildProtection, Health, Psychosocial, Education],
        RiskType::DetentionExtortion => &[Legal, Health, Transport],
        RiskType::LackOfDocumentation => &[Documentation, Legal],
    }
}

/// What one locality has in one sector.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Providers there (or serving the whole community).
    pub providers: usize,
    /// People served per month, summed over the providers that say.
    pub capacity_per_month: i64,
    pub free: usize,
    pub accepting_referrals: usize,
}

impl Coverage {
    pub fn covered(&self) -> bool {
        self.providers > 0
    }
}

/// Whether a provider serves a locality: one placed there, or one with no locality (it serves
/// the whole community).
fn serves(provider: &ServiceProvider, locality: Id<Locality>) -> bool {
    provider.locality_id.is_none_or(|l| l == locality)
}

/// `grid[locality][sector]` for the localities and sectors given.
pub fn coverage(
    localities: &[Id<Locality>],
    sectors: &[Sector],
    providers: &[ServiceProvider],
) -> Vec<Vec<Coverage>> {
    localities
        .iter()
        .map(|&l| {
            sectors
                .iter()
                .map(|&sector| {
                    providers
                        .iter()
                        .filter(|p| p.sector == sector && serves(p, l))
                        .fold(Coverage::default(), |mut c, p| {
                            c.providers += 1;
                            c.capacity_per_month += p.capacity_per_month.unwrap_or(0);
                            c.free += usize::from(p.free_of_charge);
                            c.accepting_referrals += usize::from(p.accepts_referrals);
                            c
                        })
                })
                .collect()
        })
        .collect()
}

/// A need without an answer: a risk found severe (3 or more) in a locality, and the sectors
/// of its pathway that no provider serving the locality offers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    pub locality: Id<Locality>,
    pub risk: RiskType,
    pub severity: Severity,
    pub missing: Vec<Missing>,
}

/// A sector missing in a locality, and whether the community has it elsewhere (an access
/// gap, not an absence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Missing {
    pub sector: Sector,
    pub elsewhere: bool,
}

/// Severity from which a risk is a need the services must answer.
pub const NEED_FROM: Severity = Severity::Severe;

/// The gaps, from the severity grid (`severities[locality][risk]`, localities and risks in the
/// order given) and the providers.
pub fn gaps(
    localities: &[Id<Locality>],
    risks: &[RiskType],
    severities: &[Vec<Assessment>],
    providers: &[ServiceProvider],
) -> Vec<Gap> {
    let mut out = Vec::new();
    for (&locality, row) in localities.iter().zip(severities) {
        for (&risk, assessment) in risks.iter().zip(row) {
            let Some(severity) = assessment.severity else {
                continue;
            };
            if severity.level() < NEED_FROM.level() {
                continue;
            }
            let missing: Vec<Missing> = pathway(risk)
                .iter()
                .copied()
                .filter(|&s| {
                    !providers
                        .iter()
                        .any(|p| p.sector == s && serves(p, locality))
                })
                .map(|sector| Missing {
                    sector,
                    elsewhere: providers.iter().any(|p| p.sector == sector),
                })
                .collect();
            if !missing.is_empty() {
                out.push(Gap {
                    locality,
                    risk,
                    severity,
                    missing,
                });
            }
        }
    }
    out
}

/// One step of a referral pathway and the providers that take referred cases for it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Step<'a> {
    pub sector: Sector,
    pub providers: Vec<&'a ServiceProvider>,
}

/// The pathway of a type of case in a community: each step with its providers that accept
/// referrals (an empty step is a break in the pathway).
pub fn referral_pathway(case: RiskType, providers: &[ServiceProvider]) -> Vec<Step<'_>> {
    pathway(case)
        .iter()
        .map(|&sector| Step {
            sector,
            providers: providers
                .iter()
                .filter(|p| p.sector == sector && p.accepts_referrals)
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personal::Personal;

    fn provider(
        sector: Sector,
        locality: Option<Id<Locality>>,
        referrals: bool,
    ) -> ServiceProvider {
        ServiceProvider {
            id: Id::new(),
            community_id: Id::new(),
            locality_id: locality,
            organisation: "ONG".into(),
            sector,
            service: "Service".into(),
            target_groups: "Tous".into(),
            capacity_per_month: Some(40),
            free_of_charge: true,
            opening_hours: "8h–16h".into(),
            accepts_referrals: referrals,
            contact_phone: Personal::new("+223 00 00 00 00".into()),
            latitude: None,
            longitude: None,
        }
    }

    fn assessed(level: Option<Severity>) -> Assessment {
        Assessment {
            severity: level,
            uncorroborated: None,
            corroborating_sources: 1,
            reports: 1,
        }
    }

    #[test]
    fn a_provider_without_locality_serves_the_whole_community() {
        let (a, b) = (Id::new(), Id::new());
        let providers = [
            provider(Sector::Health, Some(a), true),
            provider(Sector::Legal, None, false),
        ];
        let grid = coverage(&[a, b], &[Sector::Health, Sector::Legal], &providers);
        assert!(grid[0][0].covered() && !grid[1][0].covered());
        assert!(grid[0][1].covered() && grid[1][1].covered());
        assert_eq!(grid[0][0].capacity_per_month, 40);
    }

    #[test]
    fn a_severe_risk_without_its_services_is_a_gap_and_a_lesser_or_unassessed_one_is_not() {
        let (a, b, c) = (Id::new(), Id::new(), Id::new());
        let providers = [
            provider(Sector::Documentation, Some(a), true),
            provider(Sector::Legal, None, true),
        ];
        let risks = [RiskType::LackOfDocumentation];
        let grid = vec![
            vec![assessed(Some(Severity::Extreme))],
            vec![assessed(Some(Severity::Severe))],
            vec![assessed(None)],
        ];
        let found = gaps(&[a, b, c], &risks, &grid, &providers);
        assert_eq!(found.len(), 1, "{found:?}");
        let missing = Missing {
            sector: Sector::Documentation,
            elsewhere: true,
        };
        assert_eq!(
            (found[0].locality, &found[0].missing[..]),
            (b, &[missing][..])
        );
        let alone = gaps(&[b], &risks, &grid[1..2], &providers[1..]);
        assert!(
            !alone[0].missing[0].elsewhere,
            "no documentation service anywhere: an absence"
        );
        let stress = vec![vec![assessed(Some(Severity::Stress))]];
        assert!(
            gaps(&[b], &risks, &stress, &providers).is_empty(),
            "2 is not a need yet"
        );
    }

    #[test]
    fn a_pathway_lists_only_providers_that_take_referrals() {
        let providers = [
            provider(Sector::Health, None, true),
            provider(Sector::Gbv, None, false),
        ];
        let steps = referral_pathway(RiskType::GenderBasedViolence, &providers);
        assert_eq!(steps[0].sector, Sector::Health);
        assert_eq!(steps[0].providers.len(), 1);
        assert!(
            steps[1].providers.is_empty(),
            "the GBV service takes no referral: a break"
        );
    }
}
