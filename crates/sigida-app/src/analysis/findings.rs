//! What the analysts write of a community's analysis: indicators over a form's questions,
//! protection risk reports, findings and the evidence they rest on. Each use-case writes inside
//! the caller's transaction (a workbook sheet, or the demo, all or nothing).

use sigida_core::Id;
use sigida_core::finding::{Evidence, Finding};
use sigida_core::indicator::Indicator;
use sigida_core::protection::RiskReport;
use sigida_store::Tx;

use crate::{AppError, Refusal};

/// An indicator needs its code: it is how findings and pages cite it.
pub async fn add_indicator(tx: &mut Tx, indicator: &Indicator) -> Result<(), AppError> {
    if indicator.code.trim().is_empty() {
        return Err(Refusal::new("indicator.code").into());
    }
    tx.insert_indicator(indicator).await?;
    Ok(())
}

/// A locality × risk report from a source; the store checks its share and its source.
pub async fn report_risk(tx: &mut Tx, report: &RiskReport) -> Result<(), AppError> {
    tx.insert_risk_report(report).await?;
    Ok(())
}

/// A finding needs its statement.
pub async fn add_finding(tx: &mut Tx, finding: &Finding) -> Result<(), AppError> {
    if finding.statement.trim().is_empty() {
        return Err(Refusal::new("finding.statement").into());
    }
    tx.insert_finding(finding).await?;
    Ok(())
}

pub async fn add_evidence(tx: &mut Tx, evidence: &Evidence) -> Result<(), AppError> {
    tx.insert_evidence(evidence).await?;
    Ok(())
}

/// What a piece of evidence says, rewritten once its source's figure is known.
pub async fn set_evidence_summary(
    tx: &mut Tx,
    evidence: Id<Evidence>,
    summary: &str,
) -> Result<(), AppError> {
    tx.set_evidence_summary(evidence, summary).await?;
    Ok(())
}
