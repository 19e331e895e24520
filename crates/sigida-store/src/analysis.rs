//! Findings and the evidence they cite.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::finding::{Evidence, Finding};

use crate::rows::Cols;
use crate::{Result, Store, Tx};

fn finding(row: &sqlx::any::AnyRow) -> Result<Finding> {
    let c = Cols::of("findings", row);
    Ok(Finding {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        theme: c.code("theme")?,
        statement: c.text("statement")?,
        confidence: c.opt_code("confidence")?,
        validation: c.code("validation")?,
        amended_statement: c.opt_text("amended_statement")?,
        created_at: c.timestamp("created_at")?,
    })
}

fn evidence(row: &sqlx::any::AnyRow) -> Result<Evidence> {
    let c = Cols::of("evidence", row);
    Ok(Evidence {
        id: c.id("id")?,
        finding_id: c.id("finding_id")?,
        source_type: c.code("source_type")?,
        stance: c.code("stance")?,
        summary: c.text("summary")?,
        reference: c.text("reference")?,
    })
}

impl Store {
    pub async fn findings(&self, community: Id<Community>) -> Result<Vec<Finding>> {
        sqlx::query("SELECT * FROM findings WHERE community_id = $1 ORDER BY theme, created_at, id")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(finding)
            .collect()
    }

    /// The evidence of every finding of a community, in one query.
    pub async fn evidence_of_community(&self, community: Id<Community>) -> Result<Vec<Evidence>> {
        sqlx::query(
            "SELECT e.* FROM evidence e JOIN findings f ON f.id = e.finding_id
             WHERE f.community_id = $1 ORDER BY e.source_type, e.reference, e.id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(evidence)
        .collect()
    }
}

impl Tx {
    pub async fn insert_finding(&mut self, f: &Finding) -> Result<()> {
        sqlx::query(
            "INSERT INTO findings (id, community_id, theme, statement, confidence, validation,
                amended_statement, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(f.id.to_string())
        .bind(f.community_id.to_string())
        .bind(f.theme.code())
        .bind(&f.statement)
        .bind(f.confidence.map(|c| c.code()))
        .bind(f.validation.code())
        .bind(&f.amended_statement)
        .bind(f.created_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_evidence(&mut self, e: &Evidence) -> Result<()> {
        sqlx::query(
            "INSERT INTO evidence (id, finding_id, source_type, stance, summary, reference)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.id.to_string())
        .bind(e.finding_id.to_string())
        .bind(e.source_type.code())
        .bind(e.stance.code())
        .bind(&e.summary)
        .bind(&e.reference)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// What a piece of evidence says, rewritten (its source's figure has been computed again).
    pub async fn set_evidence_summary(&mut self, id: Id<Evidence>, summary: &str) -> Result<()> {
        sqlx::query("UPDATE evidence SET summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// The analyst's confidence in a finding (the convergence is computed, never set).
    /// What a meeting decided of a finding: validated, amended (the new wording kept beside
    /// the original statement) or rejected.
    pub async fn set_finding_validation(
        &mut self,
        finding: Id<Finding>,
        validation: sigida_core::finding::ValidationStatus,
        amended: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE findings SET validation = $2, amended_statement = $3 WHERE id = $1",
        )
        .bind(finding.to_string())
        .bind(validation.code())
        .bind(amended)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.finding", finding));
        }
        Ok(())
    }

    pub async fn set_finding_confidence(
        &mut self,
        finding: Id<Finding>,
        confidence: Option<sigida_core::finding::Confidence>,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE findings SET confidence = $2 WHERE id = $1")
            .bind(finding.to_string())
            .bind(confidence.map(|c| c.code()))
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.finding", finding));
        }
        Ok(())
    }
}
