//! A community's protection and security risks from three kinds of source: reports a person
//! enters (a protection monitor, a service provider, the team), an indicator linked to the
//! risk it measures (its value in each locality is that locality's survey report, brought up
//! to date with the data and the cleaning log as the indicator is), and a qualitative code
//! linked to a risk (each note of a locality whose excerpts carry it is a key-informant or
//! focus-group report). Derived reports are made when read, never stored: they cannot go
//! stale. The severity rules are the core's, whatever the source.

use std::collections::BTreeSet;

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::SourceType;
use sigida_core::geography::Locality;
use sigida_core::indicator::{Indicator, IndicatorKind};
use sigida_core::protection::{ReportOrigin, RiskReport, RiskType};
use sigida_core::qualitative::{Code, InterviewNote, NoteKind};
use sigida_report::indicators::Computed;
use sigida_store::{Store, Tx};

use super::audit;
use crate::common::clean_data::{DatasetError, answer_localities};
use crate::{AppError, Refusal};

/// Every risk report of a community: the entered ones, then those its linked indicators and
/// codes give (indicator labels in `language`).
pub async fn community_risk_reports(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    language: &str,
) -> Result<Vec<RiskReport>, DatasetError> {
    let computed = if store.indicator_risks(diagnostic.id).await?.is_empty() {
        Vec::new()
    } else {
        super::indicators::community_indicators(store, diagnostic, community, language).await?
    };
    risk_reports_with(store, diagnostic, community, &computed).await
}

/// The same, from the community's indicators already brought up to date (a page that shows
/// both computes them once).
pub async fn risk_reports_with(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    computed: &[Computed],
) -> Result<Vec<RiskReport>, DatasetError> {
    let mut reports = store.risk_reports(community.id).await?;
    let links = store.indicator_risks(diagnostic.id).await?;
    if !links.is_empty() {
        for (indicator, risk) in links {
            let Some(c) = computed.iter().find(|c| c.indicator.id == indicator) else {
                continue;
            };
            let Ok(values) = &c.values else { continue };
            let question = store.locality_question(c.indicator.instrument_id).await?;
            let places = answer_localities(store, c.indicator.instrument_id, community).await?;
            reports.extend(from_indicator(
                &c.indicator,
                risk,
                community,
                question.as_deref(),
                values,
                &places,
            ));
        }
    }
    let code_links = store.code_risks(diagnostic.id).await?;
    if !code_links.is_empty() {
        let codebook = store.codebook(diagnostic.id).await?;
        let notes = store.interview_notes(community.id).await?;
        let excerpts = store.excerpts(community.id).await?;
        for (code, risk) in code_links {
            let Some(code) = codebook.iter().find(|c| c.id == code) else {
                continue;
            };
            let carrying: BTreeSet<Id<InterviewNote>> = excerpts
                .iter()
                .filter(|e| e.codes.contains(&code.id))
                .map(|e| e.note_id)
                .collect();
            reports.extend(
                notes
                    .iter()
                    .filter(|n| carrying.contains(&n.id))
                    .filter_map(|n| from_note(n, code, risk, community)),
            );
        }
    }
    Ok(reports)
}

/// A share indicator's values by locality as that locality's survey reports.
fn from_indicator(
    indicator: &Indicator,
    risk: RiskType,
    community: &Community,
    locality_question: Option<&str>,
    values: &[sigida_core::indicator::IndicatorValue],
    places: &[(String, Id<Locality>)],
) -> Vec<RiskReport> {
    if indicator.kind != IndicatorKind::Share {
        return Vec::new();
    }
    let by_place =
        |column: &str| column == indicator.locality_column || Some(column) == locality_question;
    values
        .iter()
        .filter_map(|v| {
            let (column, answer) = v.by.as_ref()?;
            if !by_place(column) {
                return None;
            }
            let locality = places.iter().find(|(a, _)| a == answer.trim())?.1;
            let share = v.estimate.clamp(0.0, 1.0);
            Some(RiskReport {
                id: Id::derived(indicator.id, locality, risk as u64),
                community_id: community.id,
                locality_id: locality,
                risk,
                source: SourceType::SurveyIndicator,
                observed_on: v.computed_at.date(),
                prevalence: Some(share),
                incidents: None,
                present: share > 0.0,
                note: format!("{} (n = {})", indicator.label, v.n),
                origin: ReportOrigin::Indicator(indicator.code.clone()),
            })
        })
        .collect()
}

/// A note of a locality whose excerpts carry a code linked to a risk.
fn from_note(
    note: &InterviewNote,
    code: &Code,
    risk: RiskType,
    community: &Community,
) -> Option<RiskReport> {
    Some(RiskReport {
        id: Id::derived(note.id, code.id, risk as u64),
        community_id: community.id,
        locality_id: note.locality_id?,
        risk,
        source: match note.kind {
            NoteKind::KeyInformant => SourceType::KeyInformant,
            NoteKind::FocusGroup => SourceType::FocusGroup,
        },
        observed_on: note.held_on,
        prevalence: None,
        incidents: None,
        present: true,
        note: format!("{} — {}", note.code, code.label),
        origin: ReportOrigin::Code {
            code: code.code.clone(),
            note: note.code.clone(),
        },
    })
}

/// A report a person enters: a locality of the community, a share within 0–1.
pub async fn enter_risk_report(
    tx: &mut Tx,
    by: Option<&str>,
    report: &RiskReport,
) -> Result<(), AppError> {
    if tx.locality_community_here(report.locality_id).await? != Some(report.community_id) {
        return Err(Refusal::new("risk.locality")
            .arg("field", "locality")
            .arg("id", report.locality_id.to_string())
            .into());
    }
    tx.insert_risk_report(report).await?;
    audit(tx, by, format!("risk_report:{}", report.id), "entered").await
}

/// An entered report, removed (a derived one goes when its link does).
pub async fn remove_risk_report(
    tx: &mut Tx,
    by: Option<&str>,
    community: Id<Community>,
    id: Id<RiskReport>,
) -> Result<(), AppError> {
    match tx.delete_risk_report(id).await? {
        Some(of) if of == community => audit(tx, by, format!("risk_report:{id}"), "removed").await,
        _ => Err(Refusal::new("missing.risk_report")
            .arg("id", id.to_string())
            .into()),
    }
}

/// The risk an indicator measures (`None`: unlinked). Only a share says how many respondents
/// report a risk.
pub async fn link_indicator(
    tx: &mut Tx,
    by: Option<&str>,
    indicator: Id<Indicator>,
    risk: Option<RiskType>,
) -> Result<(), AppError> {
    let found = tx
        .indicator_here(indicator)
        .await?
        .ok_or_else(|| Refusal::new("missing.indicator").arg("id", indicator.to_string()))?;
    if risk.is_some() && found.kind != IndicatorKind::Share {
        return Err(Refusal::new("risk.share_only")
            .arg("field", "indicator")
            .arg("code", found.code.as_str())
            .into());
    }
    tx.set_indicator_risk(indicator, risk).await?;
    audit(tx, by, format!("indicator:{indicator}"), "risk linked").await
}

/// The risk a qualitative code stands for (`None`: unlinked).
pub async fn link_code(
    tx: &mut Tx,
    by: Option<&str>,
    code: Id<Code>,
    risk: Option<RiskType>,
) -> Result<(), AppError> {
    tx.set_code_risk(code, risk).await?;
    audit(tx, by, format!("code:{code}"), "risk linked").await
}

/// The locality a note was held in: one of its community's (`None`: not said).
pub async fn set_note_locality(
    tx: &mut Tx,
    by: Option<&str>,
    note: &InterviewNote,
    locality: Option<Id<Locality>>,
) -> Result<(), AppError> {
    if let Some(l) = locality
        && tx.locality_community_here(l).await? != Some(note.community_id)
    {
        return Err(Refusal::new("risk.locality")
            .arg("field", "locality")
            .arg("id", l.to_string())
            .into());
    }
    tx.set_note_locality(note.id, locality).await?;
    audit(tx, by, format!("note:{}", note.id), "locality set").await
}
