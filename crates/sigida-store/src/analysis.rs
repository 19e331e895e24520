//! Findings, the evidence they cite (with the value cited) and the diagnostic's register of
//! secondary documents.

use sigida_core::Id;
use sigida_core::citation::{CitedValue, Document};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::{Evidence, Finding};
use sigida_core::geography::Locality;

use crate::rows::{Cols, date_text, json_text};
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
        localities: Vec::new(),
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
        cited: c
            .opt_text("cited")?
            .map(|text| {
                serde_json::from_str::<CitedValue>(&text).map_err(|e| c.corrupt("cited", e))
            })
            .transpose()?,
    })
}

fn document(row: &sqlx::any::AnyRow) -> Result<Document> {
    let c = Cols::of("documents", row);
    Ok(Document {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        title: c.text("title")?,
        publisher: c.text("publisher")?,
        published_on: c.opt_date("published_on")?,
        link: c.opt_text("link")?,
    })
}

impl Store {
    pub async fn findings(&self, community: Id<Community>) -> Result<Vec<Finding>> {
        let mut findings = sqlx::query(
            "SELECT * FROM findings WHERE community_id = $1 ORDER BY theme, created_at, id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(finding)
        .collect::<Result<Vec<_>>>()?;
        let places = sqlx::query(
            "SELECT fl.finding_id, fl.locality_id FROM finding_localities fl
             JOIN findings f ON f.id = fl.finding_id
             JOIN localities l ON l.id = fl.locality_id
             WHERE f.community_id = $1 ORDER BY l.name, l.id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?;
        for row in &places {
            let c = Cols::of("finding_localities", row);
            let (id, locality): (Id<Finding>, Id<Locality>) =
                (c.id("finding_id")?, c.id("locality_id")?);
            if let Some(f) = findings.iter_mut().find(|f| f.id == id) {
                f.localities.push(locality);
            }
        }
        Ok(findings)
    }

    /// The diagnostic's register of secondary documents, by title.
    pub async fn documents(&self, diagnostic: Id<Diagnostic>) -> Result<Vec<Document>> {
        sqlx::query("SELECT * FROM documents WHERE diagnostic_id = $1 ORDER BY title, id")
            .bind(diagnostic.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(document)
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
        self.insert_finding_row(f).await?;
        self.set_finding_localities(f.id, &f.localities).await
    }

    async fn set_finding_localities(
        &mut self,
        finding: Id<Finding>,
        localities: &[Id<Locality>],
    ) -> Result<()> {
        sqlx::query("DELETE FROM finding_localities WHERE finding_id = $1")
            .bind(finding.to_string())
            .execute(self.conn())
            .await?;
        for locality in localities {
            sqlx::query("INSERT INTO finding_localities (finding_id, locality_id) VALUES ($1, $2)")
                .bind(finding.to_string())
                .bind(locality.to_string())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// A finding's theme, statement and localities as the analyst rewrote them.
    pub async fn update_finding(&mut self, f: &Finding) -> Result<()> {
        let done = sqlx::query("UPDATE findings SET theme = $2, statement = $3 WHERE id = $1")
            .bind(f.id.to_string())
            .bind(f.theme.code())
            .bind(&f.statement)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.finding", f.id));
        }
        self.set_finding_localities(f.id, &f.localities).await
    }

    /// A finding and its evidence, gone (the caller has checked nothing else refers to it).
    pub async fn delete_finding(&mut self, finding: Id<Finding>) -> Result<()> {
        for table in ["evidence", "finding_localities"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE finding_id = $1"))
                .bind(finding.to_string())
                .execute(self.conn())
                .await?;
        }
        let done = sqlx::query("DELETE FROM findings WHERE id = $1")
            .bind(finding.to_string())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.finding", finding));
        }
        Ok(())
    }

    pub async fn delete_evidence(&mut self, evidence: Id<Evidence>) -> Result<()> {
        let done = sqlx::query("DELETE FROM evidence WHERE id = $1")
            .bind(evidence.to_string())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.evidence", evidence));
        }
        Ok(())
    }

    /// The value a piece of evidence cites, re-read by the analyst (or first known).
    pub async fn set_evidence_cited(
        &mut self,
        evidence: Id<Evidence>,
        cited: Option<&CitedValue>,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE evidence SET cited = $2 WHERE id = $1")
            .bind(evidence.to_string())
            .bind(cited.map(json_text))
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.evidence", evidence));
        }
        Ok(())
    }

    pub async fn insert_document(&mut self, d: &Document) -> Result<()> {
        sqlx::query(
            "INSERT INTO documents (id, diagnostic_id, title, publisher, published_on, link)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(d.id.to_string())
        .bind(d.diagnostic_id.to_string())
        .bind(&d.title)
        .bind(&d.publisher)
        .bind(d.published_on.map(date_text))
        .bind(&d.link)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn update_document(&mut self, d: &Document) -> Result<()> {
        let done = sqlx::query(
            "UPDATE documents SET title = $2, publisher = $3, published_on = $4, link = $5
             WHERE id = $1",
        )
        .bind(d.id.to_string())
        .bind(&d.title)
        .bind(&d.publisher)
        .bind(d.published_on.map(date_text))
        .bind(&d.link)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.document", d.id));
        }
        Ok(())
    }

    pub async fn delete_document(&mut self, id: Id<Document>) -> Result<()> {
        let done = sqlx::query("DELETE FROM documents WHERE id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.document", id));
        }
        Ok(())
    }

    /// A finding as it stands inside this transaction (its localities not loaded).
    pub async fn finding_here(&mut self, id: Id<Finding>) -> Result<Option<Finding>> {
        sqlx::query("SELECT * FROM findings WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(finding)
            .transpose()
    }

    /// The finding a piece of evidence belongs to, inside this transaction.
    pub async fn evidence_finding_here(&mut self, id: Id<Evidence>) -> Result<Option<Id<Finding>>> {
        sqlx::query("SELECT finding_id FROM evidence WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(|row| Cols::of("evidence", row).id("finding_id"))
            .transpose()
    }

    /// The community a locality belongs to, inside this transaction.
    pub async fn locality_community_here(
        &mut self,
        id: Id<Locality>,
    ) -> Result<Option<Id<Community>>> {
        sqlx::query("SELECT community_id FROM localities WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(|row| Cols::of("localities", row).id("community_id"))
            .transpose()
    }

    /// How many meeting questions and plan actions refer to a finding.
    pub async fn finding_uses_here(&mut self, id: Id<Finding>) -> Result<i64> {
        let mut uses = 0;
        for table in ["questions", "action_findings"] {
            let row = sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE finding_id = $1"
            ))
            .bind(id.to_string())
            .fetch_one(self.conn())
            .await?;
            uses += Cols::of(table, &row).i64("n")?;
        }
        Ok(uses)
    }

    /// A document of the register, inside this transaction.
    pub async fn document_here(&mut self, id: Id<Document>) -> Result<Option<Document>> {
        sqlx::query("SELECT * FROM documents WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(document)
            .transpose()
    }

    /// How many pieces of evidence cite a document.
    pub async fn document_citations_here(&mut self, id: Id<Document>) -> Result<i64> {
        let reference = format!("document|{id}");
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM evidence WHERE reference = $1 OR reference LIKE $2",
        )
        .bind(&reference)
        .bind(format!("{reference}|%"))
        .fetch_one(self.conn())
        .await?;
        Cols::of("evidence", &row).i64("n")
    }

    async fn insert_finding_row(&mut self, f: &Finding) -> Result<()> {
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
            "INSERT INTO evidence (id, finding_id, source_type, stance, summary, reference, cited)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(e.id.to_string())
        .bind(e.finding_id.to_string())
        .bind(e.source_type.code())
        .bind(e.stance.code())
        .bind(&e.summary)
        .bind(&e.reference)
        .bind(e.cited.as_ref().map(json_text))
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
