//! What the analysts write of a community's analysis: findings, the evidence they cite from
//! what Sigida holds, and the register of secondary documents. Each use-case writes inside the
//! caller's transaction (a page's, a workbook sheet's, the demo's: all or nothing) and leaves an
//! audit event.

use sigida_core::citation::{Citation, CitedValue, Document};
use sigida_core::community::Community;
use sigida_core::finding::{Confidence, Evidence, Finding, Stance, Theme, ValidationStatus};
use sigida_core::geography::Locality;
use sigida_core::{Id, Timestamp};
use sigida_store::Tx;

use super::audit;
use crate::{AppError, Refusal};

fn refused(code: &'static str, field: &'static str) -> Refusal {
    Refusal::new(code).arg("field", field)
}

/// What the analyst writes of a finding: its theme, its statement, and the localities it is
/// about when it is local (none: the whole community).
#[derive(Clone, Debug)]
pub struct FindingDraft {
    pub theme: Theme,
    pub statement: String,
    pub localities: Vec<Id<Locality>>,
}

/// The longest statement a finding may have: a meeting reads it aloud.
const STATEMENT_MAX: usize = 1000;

async fn check_draft(
    tx: &mut Tx,
    community: Id<Community>,
    draft: &FindingDraft,
) -> Result<(), AppError> {
    let statement = draft.statement.trim();
    if statement.is_empty() {
        return Err(refused("finding.statement", "statement").into());
    }
    if statement.chars().count() > STATEMENT_MAX {
        return Err(refused("finding.statement_long", "statement")
            .arg("max", STATEMENT_MAX.to_string())
            .into());
    }
    for locality in &draft.localities {
        if tx.locality_community_here(*locality).await? != Some(community) {
            return Err(refused("finding.locality", "localities")
                .arg("id", locality.to_string())
                .into());
        }
    }
    Ok(())
}

/// A new finding of a community, pending until a meeting validates, amends or rejects it.
pub async fn write_finding(
    tx: &mut Tx,
    by: Option<&str>,
    community: &Community,
    id: Id<Finding>,
    draft: &FindingDraft,
    at: Timestamp,
) -> Result<Finding, AppError> {
    check_draft(tx, community.id, draft).await?;
    let finding = Finding {
        id,
        community_id: community.id,
        theme: draft.theme,
        statement: draft.statement.trim().to_owned(),
        confidence: None,
        validation: ValidationStatus::Pending,
        amended_statement: None,
        localities: draft.localities.clone(),
        created_at: at,
    };
    tx.insert_finding(&finding).await?;
    audit(tx, by, format!("finding:{id}"), "written").await?;
    Ok(finding)
}

/// A finding as a meeting will read it: refused once a meeting has decided on it (its
/// decision stands; the meeting's amendment is kept beside the original).
async fn pending(tx: &mut Tx, id: Id<Finding>) -> Result<Finding, AppError> {
    let finding = tx
        .finding_here(id)
        .await?
        .ok_or_else(|| Refusal::new("missing.finding").arg("id", id.to_string()))?;
    if finding.validation != ValidationStatus::Pending {
        return Err(Refusal::new("finding.decided").into());
    }
    Ok(finding)
}

/// The analyst rewrites a pending finding.
pub async fn edit_finding(
    tx: &mut Tx,
    by: Option<&str>,
    id: Id<Finding>,
    draft: &FindingDraft,
) -> Result<Finding, AppError> {
    let mut finding = pending(tx, id).await?;
    check_draft(tx, finding.community_id, draft).await?;
    finding.theme = draft.theme;
    finding.statement = draft.statement.trim().to_owned();
    finding.localities = draft.localities.clone();
    tx.update_finding(&finding).await?;
    audit(tx, by, format!("finding:{id}"), "corrected").await?;
    Ok(finding)
}

/// A pending finding no meeting has put to the vote and no action answers, removed with its
/// evidence.
pub async fn remove_finding(
    tx: &mut Tx,
    by: Option<&str>,
    id: Id<Finding>,
) -> Result<(), AppError> {
    pending(tx, id).await?;
    if tx.finding_uses_here(id).await? > 0 {
        return Err(Refusal::new("finding.in_use").into());
    }
    tx.delete_finding(id).await?;
    audit(tx, by, format!("finding:{id}"), "removed").await
}

/// The analyst's confidence in a finding (the convergence is computed, never set).
pub async fn set_confidence(
    tx: &mut Tx,
    by: Option<&str>,
    id: Id<Finding>,
    confidence: Option<Confidence>,
) -> Result<(), AppError> {
    tx.set_finding_confidence(id, confidence).await?;
    audit(tx, by, format!("finding:{id}"), "confidence set").await
}

/// What the analyst cites for a finding: the citation, its stance, a sentence of their own
/// (the source's label when left empty), and what the source says now (`None`: not there).
pub struct Citing<'a> {
    pub citation: &'a Citation,
    pub stance: Stance,
    pub summary: &'a str,
    pub label: &'a str,
    pub now: Option<CitedValue>,
}

/// A piece of evidence for a pending finding: a source Sigida holds, with the value it says
/// now kept as the value cited.
pub async fn cite(
    tx: &mut Tx,
    by: Option<&str>,
    finding: Id<Finding>,
    id: Id<Evidence>,
    citing: Citing<'_>,
) -> Result<Evidence, AppError> {
    pending(tx, finding).await?;
    let reference = citing.citation.reference();
    let Some(now) = citing.now else {
        return Err(refused("citation.unknown", "citation")
            .arg("reference", reference)
            .into());
    };
    let summary = citing.summary.trim();
    let evidence = Evidence {
        id,
        finding_id: finding,
        source_type: citing.citation.source_type(),
        stance: citing.stance,
        summary: if summary.is_empty() {
            citing.label.to_owned()
        } else {
            summary.to_owned()
        },
        reference,
        cited: Some(now),
    };
    tx.insert_evidence(&evidence).await?;
    audit(tx, by, format!("finding:{finding}"), "evidence cited").await?;
    Ok(evidence)
}

/// A piece of evidence taken off a pending finding.
pub async fn remove_evidence(
    tx: &mut Tx,
    by: Option<&str>,
    evidence: Id<Evidence>,
) -> Result<(), AppError> {
    let finding = tx
        .evidence_finding_here(evidence)
        .await?
        .ok_or_else(|| Refusal::new("missing.evidence").arg("id", evidence.to_string()))?;
    pending(tx, finding).await?;
    tx.delete_evidence(evidence).await?;
    audit(tx, by, format!("finding:{finding}"), "evidence removed").await
}

/// The analyst has re-read a finding whose cited value changed: the value now is the one
/// cited (whatever the finding's status: a validated finding is re-read too).
pub async fn reread(
    tx: &mut Tx,
    by: Option<&str>,
    evidence: Id<Evidence>,
    now: &CitedValue,
) -> Result<(), AppError> {
    let finding = tx
        .evidence_finding_here(evidence)
        .await?
        .ok_or_else(|| Refusal::new("missing.evidence").arg("id", evidence.to_string()))?;
    tx.set_evidence_cited(evidence, Some(now)).await?;
    audit(tx, by, format!("finding:{finding}"), "evidence re-read").await
}

/// A document as it will be kept: a title and a publisher, a link only to a web page.
pub fn check_document(d: &Document) -> Result<(), Refusal> {
    if d.title.trim().is_empty() {
        return Err(refused("document.title", "title"));
    }
    if d.publisher.trim().is_empty() {
        return Err(refused("document.publisher", "publisher"));
    }
    if let Some(link) = &d.link {
        let lower = link.trim().to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || link.contains(' ') {
            return Err(refused("document.link", "link").arg("link", link.as_str()));
        }
    }
    Ok(())
}

fn trimmed(d: &Document) -> Document {
    Document {
        title: d.title.trim().to_owned(),
        publisher: d.publisher.trim().to_owned(),
        link: d
            .link
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        ..d.clone()
    }
}

/// A secondary source added to the diagnostic's register.
pub async fn add_document(tx: &mut Tx, by: Option<&str>, d: &Document) -> Result<(), AppError> {
    let d = trimmed(d);
    check_document(&d)?;
    tx.insert_document(&d).await?;
    audit(tx, by, format!("document:{}", d.id), "added").await
}

pub async fn edit_document(tx: &mut Tx, by: Option<&str>, d: &Document) -> Result<(), AppError> {
    let d = trimmed(d);
    check_document(&d)?;
    tx.update_document(&d).await?;
    audit(tx, by, format!("document:{}", d.id), "corrected").await
}

/// A document no evidence cites, removed from the register.
pub async fn remove_document(
    tx: &mut Tx,
    by: Option<&str>,
    id: Id<Document>,
) -> Result<(), AppError> {
    if tx.document_here(id).await?.is_none() {
        return Err(Refusal::new("missing.document")
            .arg("id", id.to_string())
            .into());
    }
    let cited = tx.document_citations_here(id).await?;
    if cited > 0 {
        return Err(Refusal::new("document.cited")
            .arg("n", cited.to_string())
            .into());
    }
    tx.delete_document(id).await?;
    audit(tx, by, format!("document:{id}"), "removed").await
}
