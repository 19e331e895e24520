//! Action plans: actions with their traceability links, budget lines, indicators, measurements.

use std::collections::HashMap;

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::finding::ValidationStatus;
use sigida_core::plan::{
    Action, ActionPlan, BudgetLine, Measurement, PlanIndicator, Quarter, check_traceability,
};
use sqlx::Row;

use crate::rows::{Cols, date_text, json_text};
use crate::{Result, Store, StoreError, Tx};

fn plan(row: &sqlx::any::AnyRow) -> Result<ActionPlan> {
    let c = Cols::of("action_plans", row);
    Ok(ActionPlan {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        version: c.i64("version")?,
        status: c.code("status")?,
        title: c.text("title")?,
        adopted_on: c.opt_date("adopted_on")?,
        adopted_by_meeting: c.opt_id("adopted_by_meeting")?,
        created_at: c.timestamp("created_at")?,
    })
}

fn quarter(c: &Cols<'_>, column: &'static str) -> Result<Quarter> {
    let index = c.small(column)?;
    Quarter::new(index / 4 + 1, index % 4 + 1).ok_or_else(|| StoreError::Corrupt {
        table: "actions",
        column,
        detail: format!("trimestre {index} hors de 0..16"),
    })
}

fn action(row: &sqlx::any::AnyRow) -> Result<Action> {
    let c = Cols::of("actions", row);
    Ok(Action {
        id: c.id("id")?,
        plan_id: c.id("plan_id")?,
        title: c.text("title")?,
        description: c.text("description")?,
        lead_partner: c.text("lead_partner")?,
        partners: c.json("partners")?,
        target_groups: c.text("target_groups")?,
        localities: c.text("localities")?,
        start: quarter(&c, "start_quarter")?,
        end: quarter(&c, "end_quarter")?,
        status: c.code("status")?,
        pdsec_axis: c.opt_text("pdsec_axis")?,
        risks: c.text("risks")?,
        finding_ids: Vec::new(),
        decision_ids: Vec::new(),
    })
}

fn budget_line(row: &sqlx::any::AnyRow) -> Result<BudgetLine> {
    let c = Cols::of("budget_lines", row);
    Ok(BudgetLine {
        id: c.id("id")?,
        action_id: c.id("action_id")?,
        item: c.text("item")?,
        unit: c.text("unit")?,
        quantity: c.i64("quantity")?,
        unit_cost_fcfa: c.i64("unit_cost_fcfa")?,
        funding_source: c.text("funding_source")?,
        year: c.small("year")?,
    })
}

fn indicator(row: &sqlx::any::AnyRow) -> Result<PlanIndicator> {
    let c = Cols::of("plan_indicators", row);
    Ok(PlanIndicator {
        id: c.id("id")?,
        action_id: c.id("action_id")?,
        name: c.text("name")?,
        baseline: c.opt_f64("baseline")?,
        target: c.opt_f64("target")?,
        unit: c.text("unit")?,
        means_of_verification: c.text("means_of_verification")?,
    })
}

fn measurement(row: &sqlx::any::AnyRow) -> Result<Measurement> {
    let c = Cols::of("measurements", row);
    Ok(Measurement {
        id: c.id("id")?,
        indicator_id: c.id("indicator_id")?,
        measured_on: c.date("measured_on")?,
        value: c.f64("value")?,
        note: c.text("note")?,
        recorded_by: c.text("recorded_by")?,
    })
}

impl Store {
    pub async fn plans(&self, community: Id<Community>) -> Result<Vec<ActionPlan>> {
        sqlx::query("SELECT * FROM action_plans WHERE community_id = $1 ORDER BY version")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(plan)
            .collect()
    }

    /// The actions of a plan with the findings and decisions each answers.
    /// A community's plan in its latest version, if it has one.
    pub async fn latest_plan(&self, community: Id<Community>) -> Result<Option<ActionPlan>> {
        Ok(self
            .plans(community)
            .await?
            .into_iter()
            .max_by_key(|p| p.version))
    }

    pub async fn actions(&self, plan: Id<ActionPlan>) -> Result<Vec<Action>> {
        let plan_text = plan.to_string();
        let mut actions: Vec<Action> =
            sqlx::query("SELECT * FROM actions WHERE plan_id = $1 ORDER BY start_quarter, title")
                .bind(&plan_text)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(action)
                .collect::<Result<_>>()?;
        let position: HashMap<Id<Action>, usize> =
            actions.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        for (table, column) in [
            ("action_findings", "finding_id"),
            ("action_decisions", "decision_id"),
        ] {
            let sql = format!(
                "SELECT l.action_id, l.{column} FROM {table} l JOIN actions a ON a.id = l.action_id
                 WHERE a.plan_id = $1 ORDER BY l.{column}"
            );
            for row in sqlx::query(&sql)
                .bind(&plan_text)
                .fetch_all(&self.pool)
                .await?
            {
                let c = Cols::of(table, &row);
                let action_id: Id<Action> = c.id("action_id")?;
                let linked: String = row.try_get(1)?;
                let Some(&i) = position.get(&action_id) else {
                    continue;
                };
                let corrupt = |e: uuid::Error| StoreError::Corrupt {
                    table,
                    column: "id",
                    detail: e.to_string(),
                };
                if column == "finding_id" {
                    actions[i]
                        .finding_ids
                        .push(linked.parse().map_err(corrupt)?);
                } else {
                    actions[i]
                        .decision_ids
                        .push(linked.parse().map_err(corrupt)?);
                }
            }
        }
        Ok(actions)
    }

    pub async fn budget_lines(&self, plan: Id<ActionPlan>) -> Result<Vec<BudgetLine>> {
        sqlx::query(
            "SELECT b.* FROM budget_lines b JOIN actions a ON a.id = b.action_id
             WHERE a.plan_id = $1 ORDER BY b.year, b.item, b.id",
        )
        .bind(plan.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(budget_line)
        .collect()
    }

    pub async fn plan_indicators(&self, plan: Id<ActionPlan>) -> Result<Vec<PlanIndicator>> {
        sqlx::query(
            "SELECT i.* FROM plan_indicators i JOIN actions a ON a.id = i.action_id
             WHERE a.plan_id = $1 ORDER BY i.name, i.id",
        )
        .bind(plan.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(indicator)
        .collect()
    }

    pub async fn measurements(&self, indicator: Id<PlanIndicator>) -> Result<Vec<Measurement>> {
        sqlx::query("SELECT * FROM measurements WHERE indicator_id = $1 ORDER BY measured_on, id")
            .bind(indicator.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(measurement)
            .collect()
    }
}

impl Tx {
    pub async fn insert_plan(&mut self, p: &ActionPlan) -> Result<()> {
        sqlx::query(
            "INSERT INTO action_plans (id, community_id, version, status, title, adopted_on,
                adopted_by_meeting, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(p.id.to_string())
        .bind(p.community_id.to_string())
        .bind(p.version)
        .bind(p.status.code())
        .bind(&p.title)
        .bind(p.adopted_on.map(date_text))
        .bind(p.adopted_by_meeting.map(|m| m.to_string()))
        .bind(p.created_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Inserts an action and its links, refusing one that answers no validated finding and
    /// no recorded decision.
    pub async fn insert_action(&mut self, a: &Action) -> Result<()> {
        let mut validated = Vec::new();
        for finding in &a.finding_ids {
            let status: Option<String> =
                sqlx::query("SELECT validation FROM findings WHERE id = $1")
                    .bind(finding.to_string())
                    .fetch_optional(self.conn())
                    .await?
                    .map(|row| row.try_get(0))
                    .transpose()?;
            let accepted = [ValidationStatus::Validated, ValidationStatus::Amended];
            if status.is_some_and(|s| accepted.iter().any(|v| v.code() == s)) {
                validated.push(*finding);
            }
        }
        check_traceability(a, |f| validated.contains(&f))?;
        sqlx::query(
            "INSERT INTO actions (id, plan_id, title, description, lead_partner, partners,
                target_groups, localities, start_quarter, end_quarter, status, pdsec_axis, risks)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(a.id.to_string())
        .bind(a.plan_id.to_string())
        .bind(&a.title)
        .bind(&a.description)
        .bind(&a.lead_partner)
        .bind(json_text(&a.partners))
        .bind(&a.target_groups)
        .bind(&a.localities)
        .bind(i64::from(a.start.index()))
        .bind(i64::from(a.end.index()))
        .bind(a.status.code())
        .bind(&a.pdsec_axis)
        .bind(&a.risks)
        .execute(self.conn())
        .await?;
        for finding in &a.finding_ids {
            sqlx::query("INSERT INTO action_findings (action_id, finding_id) VALUES ($1, $2)")
                .bind(a.id.to_string())
                .bind(finding.to_string())
                .execute(self.conn())
                .await?;
        }
        for decision in &a.decision_ids {
            sqlx::query("INSERT INTO action_decisions (action_id, decision_id) VALUES ($1, $2)")
                .bind(a.id.to_string())
                .bind(decision.to_string())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    pub async fn insert_budget_line(&mut self, b: &BudgetLine) -> Result<()> {
        sqlx::query(
            "INSERT INTO budget_lines (id, action_id, item, unit, quantity, unit_cost_fcfa,
                funding_source, year)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(b.id.to_string())
        .bind(b.action_id.to_string())
        .bind(&b.item)
        .bind(&b.unit)
        .bind(b.quantity)
        .bind(b.unit_cost_fcfa)
        .bind(&b.funding_source)
        .bind(i64::from(b.year))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_plan_indicator(&mut self, i: &PlanIndicator) -> Result<()> {
        sqlx::query(
            "INSERT INTO plan_indicators (id, action_id, name, baseline, target, unit, means_of_verification)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(i.id.to_string())
        .bind(i.action_id.to_string())
        .bind(&i.name)
        .bind(i.baseline)
        .bind(i.target)
        .bind(&i.unit)
        .bind(&i.means_of_verification)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Where an action stands, as its lead partner or the team reports it.
    pub async fn set_action_status(
        &mut self,
        action: Id<Action>,
        status: sigida_core::plan::ActionStatus,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE actions SET status = $2 WHERE id = $1")
            .bind(action.to_string())
            .bind(status.code())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound(format!("action {action}")));
        }
        Ok(())
    }

    pub async fn insert_measurement(&mut self, m: &Measurement) -> Result<()> {
        sqlx::query(
            "INSERT INTO measurements (id, indicator_id, measured_on, value, note, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(m.id.to_string())
        .bind(m.indicator_id.to_string())
        .bind(date_text(m.measured_on))
        .bind(m.value)
        .bind(&m.note)
        .bind(&m.recorded_by)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
