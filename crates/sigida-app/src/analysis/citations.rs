//! What a community's findings can cite, and what each citation says now: its indicators
//! (brought up to date with their data, as their page does), flow counts, coded excerpts,
//! exercises, service providers, risk reports and the documents of the register. A piece of
//! evidence keeps the value it cited; comparing it with [`Sources::value`] says whether new
//! data or a cleaning decision changed it since.

use std::collections::BTreeSet;

use sigida_core::actors::{Sector, ServiceProvider};
use sigida_core::citation::{Citation, CitedValue, Document, Freshness};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::exercises::Exercise;
use sigida_core::finding::{Evidence, SourceType};
use sigida_core::flows::{FlowCount, Profile};
use sigida_core::geography::Locality;
use sigida_core::protection::RiskReport;
use sigida_core::qualitative::{Code, Excerpt, InterviewNote, NoteKind};
use sigida_report::Tr;
use sigida_report::findings::EvidenceView;
use sigida_report::indicators::Computed;
use sigida_store::Store;

use crate::common::clean_data::DatasetError;

/// Everything of a community that evidence can cite, loaded once.
pub struct Sources {
    pub indicators: Vec<Computed>,
    pub flows: Vec<FlowCount>,
    pub notes: Vec<InterviewNote>,
    pub codebook: Vec<Code>,
    pub excerpts: Vec<Excerpt>,
    pub exercises: Vec<Exercise>,
    pub localities: Vec<Locality>,
    pub services: Vec<ServiceProvider>,
    pub risks: Vec<RiskReport>,
    pub documents: Vec<Document>,
}

/// One thing a finding can cite: its citation, the heading it is listed under, a label in the
/// reader's language, and what it says now.
pub struct Citable {
    pub citation: Citation,
    /// The catalogue key of its kind (`citation.kind_indicator`…).
    pub kind: &'static str,
    pub label: String,
    pub value: CitedValue,
}

/// A community's citable sources; indicator labels in `language` (`fr`, `en`).
pub async fn sources(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    language: &str,
) -> Result<Sources, DatasetError> {
    let indicators =
        crate::analysis::indicators::community_indicators(store, diagnostic, community, language)
            .await?;
    let risks =
        crate::analysis::risks::risk_reports_with(store, diagnostic, community, &indicators)
            .await?;
    Ok(Sources {
        indicators,
        flows: store.flow_counts(community.id).await?,
        notes: store.interview_notes(community.id).await?,
        codebook: store.codebook(diagnostic.id).await?,
        excerpts: store.excerpts(community.id).await?,
        exercises: store.exercises(community.id).await?,
        localities: store.localities(community.id).await?,
        services: store.service_providers(community.id).await?,
        risks,
        documents: store.documents(diagnostic.id).await?,
    })
}

fn month_of(count: &FlowCount) -> String {
    format!(
        "{:04}-{:02}",
        count.date.year(),
        u8::from(count.date.month())
    )
}

fn note_kind(source: SourceType) -> Option<NoteKind> {
    match source {
        SourceType::KeyInformant => Some(NoteKind::KeyInformant),
        SourceType::FocusGroup => Some(NoteKind::FocusGroup),
        _ => None,
    }
}

impl Sources {
    /// What a citation says now; `None` when its source is not (or no longer) there.
    pub fn value(&self, citation: &Citation) -> Option<CitedValue> {
        match citation {
            Citation::Indicator { code, by } => {
                let computed = self.indicators.iter().find(|c| &c.indicator.code == code)?;
                let value = computed
                    .values
                    .as_ref()
                    .ok()?
                    .iter()
                    .find(|v| v.by.as_ref() == by.as_ref())?;
                Some(CitedValue::Estimate {
                    measure: computed.indicator.kind,
                    estimate: value.estimate,
                    low: value.ci_low,
                    high: value.ci_high,
                    n: value.n,
                })
            }
            Citation::Flow {
                month,
                origin,
                destination,
            } => {
                let counts: Vec<FlowCount> = self
                    .flows
                    .iter()
                    .filter(|c| month.as_ref().is_none_or(|m| &month_of(c) == m))
                    .filter(|c| origin.as_ref().is_none_or(|o| c.origin.trim() == o))
                    .filter(|c| {
                        destination
                            .as_ref()
                            .is_none_or(|d| c.destination.trim() == d)
                    })
                    .cloned()
                    .collect();
                if counts.is_empty() {
                    return None;
                }
                let p = Profile::of(&counts);
                Some(CitedValue::Flow {
                    travellers: p.travellers,
                    women_children: Profile::share(p.women + p.children(), p.broken_down()),
                })
            }
            Citation::Code { code, source } => {
                let code = self.codebook.iter().find(|c| &c.code == code)?;
                let kind = note_kind(*source)?;
                let notes: BTreeSet<_> = self
                    .notes
                    .iter()
                    .filter(|n| n.kind == kind)
                    .map(|n| n.id)
                    .collect();
                let carrying: Vec<&Excerpt> = self
                    .excerpts
                    .iter()
                    .filter(|e| notes.contains(&e.note_id) && e.codes.contains(&code.id))
                    .collect();
                let in_notes: BTreeSet<_> = carrying.iter().map(|e| e.note_id).collect();
                Some(CitedValue::Excerpts {
                    excerpts: carrying.len() as u32,
                    notes: in_notes.len() as u32,
                })
            }
            Citation::Exercise { id } => {
                let e = self.exercises.iter().find(|e| &e.id.to_string() == id)?;
                Some(CitedValue::Exercise {
                    title: e.title.clone(),
                    held_on: e.held_on.to_string(),
                })
            }
            Citation::Services { locality, sector } => {
                let locality = self.locality(locality)?;
                let of_sector = self.services.iter().filter(|s| s.sector == *sector);
                Some(CitedValue::Services {
                    in_locality: of_sector
                        .clone()
                        .filter(|s| s.locality_id == Some(locality.id))
                        .count() as u32,
                    in_community: of_sector.count() as u32,
                })
            }
            Citation::Risk {
                locality,
                risk,
                source,
            } => {
                let locality = self.locality(locality)?;
                let latest = self
                    .risks
                    .iter()
                    .filter(|r| r.locality_id == locality.id && r.risk == *risk)
                    .filter(|r| r.source == *source)
                    .max_by_key(|r| r.observed_on)?;
                Some(CitedValue::Risk {
                    observed_on: latest.observed_on.to_string(),
                    prevalence: latest.prevalence,
                    incidents: latest.incidents,
                    present: latest.present,
                })
            }
            Citation::Document { id, .. } => {
                let d = self.documents.iter().find(|d| &d.id.to_string() == id)?;
                Some(CitedValue::Document {
                    title: d.title.clone(),
                    publisher: d.publisher.clone(),
                    published_on: d.published_on.map(|p| p.to_string()),
                })
            }
        }
    }

    fn locality(&self, id: &str) -> Option<&Locality> {
        self.localities.iter().find(|l| l.id.to_string() == id)
    }

    /// A piece of evidence against what its source says now.
    pub fn freshness(&self, evidence: &Evidence) -> Freshness {
        let Some(citation) = evidence.citation() else {
            return Freshness::Unchecked { now: None };
        };
        Freshness::of(evidence.cited.as_ref(), self.value(&citation))
    }

    /// A citation in words: `Ménages avec un membre à l'étranger — Femmes`.
    pub fn label(&self, tr: Tr, citation: &Citation) -> String {
        let locality_name = |id: &str| {
            self.locality(id)
                .map_or_else(|| id.to_owned(), |l| l.name.clone())
        };
        match citation {
            Citation::Indicator { code, by } => {
                let Some(c) = self.indicators.iter().find(|c| &c.indicator.code == code) else {
                    return code.clone();
                };
                match by {
                    None => c.indicator.label.clone(),
                    Some((column, answer)) => {
                        let name = |key: (String, String), fallback: &str| {
                            c.labels.get(&key).cloned().unwrap_or(fallback.to_owned())
                        };
                        format!(
                            "{} — {} : {}",
                            c.indicator.label,
                            name((column.clone(), String::new()), column),
                            name((column.clone(), answer.clone()), answer)
                        )
                    }
                }
            }
            Citation::Flow {
                month,
                origin,
                destination,
            } => {
                let mut parts = vec![tr.t("citation.flows").to_owned()];
                parts.push(match month {
                    Some(m) => m.clone(),
                    None => tr.t("citation.all_months").to_owned(),
                });
                if origin.is_some() || destination.is_some() {
                    parts.push(format!(
                        "{} → {}",
                        origin.as_deref().unwrap_or("*"),
                        destination.as_deref().unwrap_or("*")
                    ));
                }
                parts.join(" — ")
            }
            Citation::Code { code, source } => {
                let label = self
                    .codebook
                    .iter()
                    .find(|c| &c.code == code)
                    .map_or(code.as_str(), |c| c.label.as_str());
                format!("{label} ({code}) — {}", tr.t(source.label_key()))
            }
            Citation::Exercise { id } => self
                .exercises
                .iter()
                .find(|e| &e.id.to_string() == id)
                .map_or_else(|| id.clone(), |e| e.title.clone()),
            Citation::Services { locality, sector } => {
                format!("{} — {}", locality_name(locality), tr.t(sector.label_key()))
            }
            Citation::Risk {
                locality,
                risk,
                source,
            } => format!(
                "{} — {} — {}",
                locality_name(locality),
                tr.t(risk.label_key()),
                tr.t(source.label_key())
            ),
            Citation::Document { id, page } => {
                let title = self
                    .documents
                    .iter()
                    .find(|d| &d.id.to_string() == id)
                    .map_or(id.as_str(), |d| d.title.as_str());
                match page {
                    Some(page) => format!("{title}, p. {page}"),
                    None => title.to_owned(),
                }
            }
        }
    }

    /// What pages and reports show of each piece of evidence: its source in words (the free
    /// reference of evidence written before citations were typed) and how its value stands.
    pub fn views(&self, tr: Tr, evidence: &[Evidence]) -> Vec<EvidenceView> {
        evidence
            .iter()
            .map(|e| EvidenceView {
                evidence: e.id,
                label: e
                    .citation()
                    .map_or_else(|| e.reference.clone(), |c| self.label(tr, &c)),
                freshness: self.freshness(e),
            })
            .collect()
    }

    /// Everything a finding can cite, by kind, each with its value now (flows: all, each
    /// month and the twenty busiest routes; any month × route can still be cited by its
    /// reference).
    pub fn citable(&self, tr: Tr) -> Vec<Citable> {
        let mut citations: Vec<(&'static str, Citation)> = Vec::new();
        for c in &self.indicators {
            let Ok(values) = &c.values else { continue };
            for v in values {
                citations.push((
                    "citation.kind_indicator",
                    Citation::Indicator {
                        code: c.indicator.code.clone(),
                        by: v.by.clone(),
                    },
                ));
            }
        }
        if !self.flows.is_empty() {
            let all = Citation::Flow {
                month: None,
                origin: None,
                destination: None,
            };
            citations.push(("citation.kind_flow", all));
            let months: BTreeSet<String> = self.flows.iter().map(month_of).collect();
            for month in months {
                citations.push((
                    "citation.kind_flow",
                    Citation::Flow {
                        month: Some(month),
                        origin: None,
                        destination: None,
                    },
                ));
            }
            let routes = sigida_core::flows::totals_by(&self.flows, |c| {
                format!("{}\u{0}{}", c.origin.trim(), c.destination.trim())
            });
            for (route, _) in routes.into_iter().take(20) {
                let (origin, destination) = route.split_once('\u{0}').unwrap_or((&route, ""));
                citations.push((
                    "citation.kind_flow",
                    Citation::Flow {
                        month: None,
                        origin: Some(origin.to_owned()),
                        destination: Some(destination.to_owned()),
                    },
                ));
            }
        }
        for code in &self.codebook {
            for source in [SourceType::KeyInformant, SourceType::FocusGroup] {
                citations.push((
                    "citation.kind_code",
                    Citation::Code {
                        code: code.code.clone(),
                        source,
                    },
                ));
            }
        }
        for e in &self.exercises {
            citations.push((
                "citation.kind_exercise",
                Citation::Exercise {
                    id: e.id.to_string(),
                },
            ));
        }
        for l in &self.localities {
            for sector in Sector::ALL {
                citations.push((
                    "citation.kind_services",
                    Citation::Services {
                        locality: l.id.to_string(),
                        sector: *sector,
                    },
                ));
            }
        }
        let risks: BTreeSet<(String, _, _)> = self
            .risks
            .iter()
            .map(|r| (r.locality_id.to_string(), r.risk, r.source))
            .collect();
        for (locality, risk, source) in risks {
            citations.push((
                "citation.kind_risk",
                Citation::Risk {
                    locality,
                    risk,
                    source,
                },
            ));
        }
        for d in &self.documents {
            citations.push((
                "citation.kind_document",
                Citation::Document {
                    id: d.id.to_string(),
                    page: None,
                },
            ));
        }
        citations
            .into_iter()
            .filter_map(|(kind, citation)| {
                let value = self.value(&citation)?;
                // A code no excerpt of that kind carries is not evidence.
                if matches!(value, CitedValue::Excerpts { excerpts: 0, .. }) {
                    return None;
                }
                Some(Citable {
                    label: self.label(tr, &citation),
                    kind,
                    value,
                    citation,
                })
            })
            .collect()
    }
}
