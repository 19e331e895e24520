//! What a piece of evidence cites among what Sigida holds, and the value it had when the
//! analyst wrote the finding.
//!
//! A citation is a typed reference with a stable text form (kept in the evidence's
//! `reference`): `indicator|hh_member_abroad|sex|female`, `flow|2026-01|Kayes|Kidira`,
//! `code|extorsion-route|key_informant`, `exercise|<id>`, `services|<locality id>|legal`,
//! `risk|<locality id>|trafficking|key_informant`, `document|<id>|12`. Parts are escaped (`%7C` for
//! `|`, `%25` for `%`); `*` stands for "all" in a flow citation. The value it had when cited
//! is kept beside it, so a finding says when new data or a cleaning decision changed it.

use serde::{Deserialize, Serialize};

use crate::actors::Sector;
use crate::finding::SourceType;
use crate::indicator::IndicatorKind;
use crate::protection::RiskType;

/// A source held by Sigida (or a document of its register) that evidence can cite.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Citation {
    /// An indicator: the whole community, or one cell of one disaggregation.
    Indicator {
        code: String,
        by: Option<(String, String)>,
    },
    /// The community's flow counts: a month (`YYYY-MM`) or all, a route's ends or all.
    Flow {
        month: Option<String>,
        origin: Option<String>,
        destination: Option<String>,
    },
    /// A qualitative code and the excerpts carrying it, in interviews or in focus groups.
    Code { code: String, source: SourceType },
    /// A community exercise (its id).
    Exercise { id: String },
    /// A sector's service providers in a locality (its id): none is a gap.
    Services { locality: String, sector: Sector },
    /// The latest report of a risk in a locality (its id) from one source.
    Risk {
        locality: String,
        risk: RiskType,
        source: SourceType,
    },
    /// A document of the diagnostic's register, at a page.
    Document { id: String, page: Option<String> },
}

/// A reference whose text form cannot be read: what was found, and the forms expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("citation « {0} » illisible")]
pub struct UnreadableCitation(pub String);

fn escape(part: &str) -> String {
    part.replace('%', "%25").replace('|', "%7C")
}

fn unescape(part: &str) -> String {
    part.replace("%7C", "|").replace("%25", "%")
}

fn all_or(part: &Option<String>) -> String {
    part.as_deref().map_or_else(|| "*".to_owned(), escape)
}

impl Citation {
    /// The source type a citation stands for in the triangulation.
    pub fn source_type(&self) -> SourceType {
        match self {
            Citation::Indicator { .. } => SourceType::SurveyIndicator,
            Citation::Flow { .. } => SourceType::FlowData,
            Citation::Code { source, .. } | Citation::Risk { source, .. } => *source,
            Citation::Exercise { .. } => SourceType::PraExercise,
            Citation::Services { .. } => SourceType::ServiceMap,
            Citation::Document { .. } => SourceType::Secondary,
        }
    }

    /// The stable text form, kept as the evidence's reference.
    pub fn reference(&self) -> String {
        let parts: Vec<String> = match self {
            Citation::Indicator { code, by } => {
                let mut parts = vec!["indicator".to_owned(), escape(code)];
                if let Some((column, value)) = by {
                    parts.extend([escape(column), escape(value)]);
                }
                parts
            }
            Citation::Flow {
                month,
                origin,
                destination,
            } => vec![
                "flow".to_owned(),
                all_or(month),
                all_or(origin),
                all_or(destination),
            ],
            Citation::Code { code, source } => {
                vec!["code".to_owned(), escape(code), source.code().to_owned()]
            }
            Citation::Exercise { id } => vec!["exercise".to_owned(), escape(id)],
            Citation::Services { locality, sector } => vec![
                "services".to_owned(),
                escape(locality),
                sector.code().to_owned(),
            ],
            Citation::Risk {
                locality,
                risk,
                source,
            } => vec![
                "risk".to_owned(),
                escape(locality),
                risk.code().to_owned(),
                source.code().to_owned(),
            ],
            Citation::Document { id, page } => {
                let mut parts = vec!["document".to_owned(), escape(id)];
                parts.extend(page.as_deref().map(escape));
                parts
            }
        };
        parts.join("|")
    }

    /// Reads a reference written by [`Citation::reference`].
    pub fn parse(reference: &str) -> Result<Citation, UnreadableCitation> {
        let bad = || UnreadableCitation(reference.to_owned());
        let parts: Vec<String> = reference.trim().split('|').map(unescape).collect();
        let text = |i: usize| -> Result<String, UnreadableCitation> {
            parts
                .get(i)
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .ok_or_else(bad)
        };
        let all = |i: usize| -> Result<Option<String>, UnreadableCitation> {
            let part = text(i)?;
            Ok((part != "*").then_some(part))
        };
        let arity = |n: &[usize]| {
            if n.contains(&parts.len()) {
                Ok(())
            } else {
                Err(bad())
            }
        };
        let citation = match parts.first().map(String::as_str) {
            Some("indicator") => {
                arity(&[2, 4])?;
                Citation::Indicator {
                    code: text(1)?,
                    by: match parts.len() {
                        4 => Some((text(2)?, parts[3].trim().to_owned())),
                        _ => None,
                    },
                }
            }
            Some("flow") => {
                arity(&[4])?;
                Citation::Flow {
                    month: all(1)?,
                    origin: all(2)?,
                    destination: all(3)?,
                }
            }
            Some("code") => {
                arity(&[3])?;
                let source = text(2)?.parse().map_err(|_| bad())?;
                if !matches!(source, SourceType::KeyInformant | SourceType::FocusGroup) {
                    return Err(bad());
                }
                Citation::Code {
                    code: text(1)?,
                    source,
                }
            }
            Some("exercise") => {
                arity(&[2])?;
                Citation::Exercise { id: text(1)? }
            }
            Some("services") => {
                arity(&[3])?;
                Citation::Services {
                    locality: text(1)?,
                    sector: text(2)?.parse().map_err(|_| bad())?,
                }
            }
            Some("risk") => {
                arity(&[4])?;
                Citation::Risk {
                    locality: text(1)?,
                    risk: text(2)?.parse().map_err(|_| bad())?,
                    source: text(3)?.parse().map_err(|_| bad())?,
                }
            }
            Some("document") => {
                arity(&[2, 3])?;
                Citation::Document {
                    id: text(1)?,
                    page: match parts.len() {
                        3 => Some(text(2)?),
                        _ => None,
                    },
                }
            }
            _ => return Err(bad()),
        };
        Ok(citation)
    }
}

/// A secondary source of the diagnostic's register: a report, a study, a dataset.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Document {
    pub id: crate::Id<Document>,
    pub diagnostic_id: crate::Id<crate::diagnostic::Diagnostic>,
    pub title: String,
    pub publisher: String,
    pub published_on: Option<time::Date>,
    /// Where it can be read, when it is online.
    pub link: Option<String>,
}

/// What a cited source said: kept when the evidence is written, compared with what it says
/// now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CitedValue {
    Estimate {
        measure: IndicatorKind,
        estimate: f64,
        low: f64,
        high: f64,
        n: u64,
    },
    Flow {
        travellers: u64,
        /// Women and children among the travellers whose breakdown is known.
        women_children: Option<f64>,
    },
    Excerpts {
        excerpts: u32,
        notes: u32,
    },
    Exercise {
        title: String,
        held_on: String,
    },
    Services {
        in_locality: u32,
        in_community: u32,
    },
    Risk {
        observed_on: String,
        prevalence: Option<f64>,
        incidents: Option<u32>,
        present: bool,
    },
    Document {
        title: String,
        publisher: String,
        published_on: Option<String>,
    },
}

/// A piece of evidence against what its source says now.
#[derive(Clone, Debug, PartialEq)]
pub enum Freshness {
    /// The source says what it said when cited.
    Same,
    /// New data or a cleaning decision changed it: the value cited and the value now.
    Changed { was: CitedValue, now: CitedValue },
    /// The source is no longer there (an indicator removed, a document deleted…).
    Gone { was: Option<CitedValue> },
    /// Free evidence (no typed citation) or no value kept: nothing to compare, what it says
    /// now when it is known.
    Unchecked { now: Option<CitedValue> },
}

impl Freshness {
    /// The value cited against the value now (`None`: the source is gone).
    pub fn of(cited: Option<&CitedValue>, now: Option<CitedValue>) -> Freshness {
        match (now, cited) {
            (None, was) => Freshness::Gone { was: was.cloned() },
            (Some(now), None) => Freshness::Unchecked { now: Some(now) },
            (Some(now), Some(was)) if now.same_as(was) => Freshness::Same,
            (Some(now), Some(was)) => Freshness::Changed {
                was: was.clone(),
                now,
            },
        }
    }

    /// The value to show: now's when the source is there, else the one cited.
    pub fn shown<'a>(&'a self, cited: Option<&'a CitedValue>) -> Option<&'a CitedValue> {
        match self {
            Freshness::Changed { now, .. } => Some(now),
            Freshness::Unchecked { now } => now.as_ref(),
            Freshness::Gone { was } => was.as_ref(),
            Freshness::Same => cited,
        }
    }
}

/// Equal to 1e-9 of the larger: a value read back from its stored text is the same value.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    }
}

impl CitedValue {
    /// The same value (estimates compared to 1e-9, so a stored value is not "changed").
    pub fn same_as(&self, other: &CitedValue) -> bool {
        use CitedValue as V;
        match (self, other) {
            (
                V::Estimate {
                    measure: m1,
                    estimate: e1,
                    low: l1,
                    high: h1,
                    n: n1,
                },
                V::Estimate {
                    measure: m2,
                    estimate: e2,
                    low: l2,
                    high: h2,
                    n: n2,
                },
            ) => m1 == m2 && n1 == n2 && close(*e1, *e2) && close(*l1, *l2) && close(*h1, *h2),
            (
                V::Flow {
                    travellers: t1,
                    women_children: w1,
                },
                V::Flow {
                    travellers: t2,
                    women_children: w2,
                },
            ) => t1 == t2 && close_opt(*w1, *w2),
            (
                V::Risk {
                    observed_on: o1,
                    prevalence: p1,
                    incidents: i1,
                    present: s1,
                },
                V::Risk {
                    observed_on: o2,
                    prevalence: p2,
                    incidents: i2,
                    present: s2,
                },
            ) => o1 == o2 && i1 == i2 && s1 == s2 && close_opt(*p1, *p2),
            (a, b) => a == b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_citation_reads_back_from_its_reference() {
        let all = [
            Citation::Indicator {
                code: "hh_member_abroad".into(),
                by: None,
            },
            Citation::Indicator {
                code: "hh_member_abroad".into(),
                by: Some(("sex".into(), "female".into())),
            },
            Citation::Indicator {
                code: "x".into(),
                by: Some(("status".into(), String::new())),
            },
            Citation::Flow {
                month: Some("2026-01".into()),
                origin: Some("Kayes | centre".into()),
                destination: None,
            },
            Citation::Flow {
                month: None,
                origin: None,
                destination: Some("100 % Kidira".into()),
            },
            Citation::Code {
                code: "extorsion-route".into(),
                source: SourceType::FocusGroup,
            },
            Citation::Exercise { id: "abc".into() },
            Citation::Services {
                locality: "diboli".into(),
                sector: Sector::Legal,
            },
            Citation::Risk {
                locality: "diboli".into(),
                risk: RiskType::Trafficking,
                source: SourceType::KeyInformant,
            },
            Citation::Document {
                id: "d1".into(),
                page: Some("12".into()),
            },
            Citation::Document {
                id: "d1".into(),
                page: None,
            },
        ];
        for citation in all {
            let reference = citation.reference();
            assert_eq!(Citation::parse(&reference), Ok(citation), "{reference}");
        }
    }

    #[test]
    fn a_reference_that_is_not_a_citation_is_refused() {
        for bad in [
            "",
            "DIBOLI-KEY_INFORMANT-1",
            "indicator",
            "indicator||",
            "indicator|a|b",
            "flow|2026-01",
            "code|x|survey_indicator",
            "services|diboli|cooking",
            "risk|diboli|trafficking",
        ] {
            assert!(Citation::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_value_read_back_is_the_same_and_a_changed_one_is_not() {
        let value = CitedValue::Estimate {
            measure: IndicatorKind::Share,
            estimate: 0.1 + 0.2,
            low: 0.25,
            high: 0.35,
            n: 120,
        };
        let back = CitedValue::Estimate {
            measure: IndicatorKind::Share,
            estimate: 0.3,
            low: 0.25,
            high: 0.35,
            n: 120,
        };
        assert!(value.same_as(&back));
        let changed = CitedValue::Estimate {
            measure: IndicatorKind::Share,
            estimate: 0.3001,
            low: 0.25,
            high: 0.35,
            n: 120,
        };
        assert!(!value.same_as(&changed));
        let fewer = CitedValue::Estimate {
            measure: IndicatorKind::Share,
            estimate: 0.1 + 0.2,
            low: 0.25,
            high: 0.35,
            n: 119,
        };
        assert!(!value.same_as(&fewer));
    }
}
