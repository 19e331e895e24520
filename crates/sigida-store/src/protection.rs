//! Risk reports: what each source says of each protection risk, by locality.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::protection::{Capacity, RiskReport, RiskType};

use crate::rows::{Cols, date_text};
use crate::{Result, Store, StoreError, Tx};

fn risk_report(row: &sqlx::any::AnyRow) -> Result<RiskReport> {
    let c = Cols::of("risk_reports", row);
    let incidents = c
        .opt_i64("incidents")?
        .map(|n| {
            u32::try_from(n).map_err(|e| StoreError::Corrupt {
                table: "risk_reports",
                column: "incidents",
                detail: e.to_string(),
            })
        })
        .transpose()?;
    Ok(RiskReport {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        locality_id: c.id("locality_id")?,
        risk: c.code("risk")?,
        source: c.code("source_type")?,
        observed_on: c.date("observed_on")?,
        prevalence: c.opt_f64("prevalence")?,
        incidents,
        present: c.bool("present")?,
        note: c.text("note")?,
        origin: sigida_core::protection::ReportOrigin::Entered,
    })
}

fn capacity(row: &sqlx::any::AnyRow) -> Result<Capacity> {
    let c = Cols::of("capacities", row);
    let risks = c
        .text("risks")?
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<RiskType>().map_err(|e| StoreError::Corrupt {
                table: "capacities",
                column: "risks",
                detail: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Capacity {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        locality_id: c.opt_id("locality_id")?,
        kind: c.code("kind")?,
        name: c.text("name")?,
        description: c.text("description")?,
        risks,
    })
}

impl Store {
    pub async fn capacities(&self, community: Id<Community>) -> Result<Vec<Capacity>> {
        sqlx::query("SELECT * FROM capacities WHERE community_id = $1 ORDER BY kind, name, id")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(capacity)
            .collect()
    }

    pub async fn risk_reports(&self, community: Id<Community>) -> Result<Vec<RiskReport>> {
        sqlx::query(
            "SELECT * FROM risk_reports WHERE community_id = $1
             ORDER BY locality_id, risk, observed_on, id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(risk_report)
        .collect()
    }
}

impl Tx {
    pub async fn insert_capacity(&mut self, c: &Capacity) -> Result<()> {
        sqlx::query(
            "INSERT INTO capacities (id, community_id, locality_id, kind, name, description, risks)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.id.to_string())
        .bind(c.community_id.to_string())
        .bind(c.locality_id.map(|l| l.to_string()))
        .bind(c.kind.code())
        .bind(&c.name)
        .bind(&c.description)
        .bind(
            c.risks
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(","),
        )
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// An entered risk report, removed; the community it was of.
    pub async fn delete_risk_report(
        &mut self,
        id: Id<RiskReport>,
    ) -> Result<Option<Id<Community>>> {
        let community = sqlx::query("SELECT community_id FROM risk_reports WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(|row| Cols::of("risk_reports", row).id("community_id"))
            .transpose()?;
        sqlx::query("DELETE FROM risk_reports WHERE id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        Ok(community)
    }

    pub async fn insert_risk_report(&mut self, r: &RiskReport) -> Result<()> {
        r.check()?;
        sqlx::query(
            "INSERT INTO risk_reports (id, community_id, locality_id, risk, source_type,
                observed_on, prevalence, incidents, present, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(r.id.to_string())
        .bind(r.community_id.to_string())
        .bind(r.locality_id.to_string())
        .bind(r.risk.code())
        .bind(r.source.code())
        .bind(date_text(r.observed_on))
        .bind(r.prevalence)
        .bind(r.incidents.map(i64::from))
        .bind(i64::from(r.present))
        .bind(&r.note)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
