//! Action plans: actions with their traceability links, budget lines, indicators, measurements.

use std::collections::HashMap;

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::finding::ValidationStatus;
use sigida_core::meeting::Meeting;
use sigida_core::plan::{
    Action, ActionError, ActionPlan, BudgetLine, Measurement, Milestone, PlanContent,
    PlanIndicator, PlanStatus, Quarter, check_traceability,
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

fn quarter(c: &Cols<'_>, table: &'static str, column: &'static str) -> Result<Quarter> {
    let index = c.small(column)?;
    Quarter::new(index / 4 + 1, index % 4 + 1).ok_or_else(|| StoreError::Corrupt {
        table,
        column,
        detail: format!("trimestre {index} hors de 0..16"),
    })
}

fn action(row: &sqlx::any::AnyRow) -> Result<Action> {
    let c = Cols::of("actions", row);
    Ok(Action {
        id: c.id("id")?,
        plan_id: c.id("plan_id")?,
        objective: c.text("objective")?,
        title: c.text("title")?,
        description: c.text("description")?,
        lead_partner: c.text("lead_partner")?,
        partners: c.json("partners")?,
        target_groups: c.text("target_groups")?,
        localities: c.text("localities")?,
        start: quarter(&c, "actions", "start_quarter")?,
        end: quarter(&c, "actions", "end_quarter")?,
        status: c.code("status")?,
        pdsec_axis: c.opt_text("pdsec_axis")?,
        risks: c.text("risks")?,
        resources: c.text("resources")?,
        finding_ids: Vec::new(),
        decision_ids: Vec::new(),
        origin_id: c.opt_id("origin_id")?,
    })
}

fn milestone(row: &sqlx::any::AnyRow) -> Result<Milestone> {
    let c = Cols::of("milestones", row);
    Ok(Milestone {
        id: c.id("id")?,
        action_id: c.id("action_id")?,
        title: c.text("title")?,
        due: quarter(&c, "milestones", "due_quarter")?,
        done_on: c.opt_date("done_on")?,
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
        self.actions_where("plan_id", plan.to_string()).await
    }

    /// The actions whose `column` (`plan_id` or `id`) is `value`, each with its links.
    async fn actions_where(&self, column: &'static str, value: String) -> Result<Vec<Action>> {
        let mut actions: Vec<Action> = sqlx::query(&format!(
            "SELECT * FROM actions WHERE {column} = $1 ORDER BY start_quarter, title"
        ))
        .bind(&value)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(action)
        .collect::<Result<_>>()?;
        let position: HashMap<Id<Action>, usize> =
            actions.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
        for (table, linked_column) in [
            ("action_findings", "finding_id"),
            ("action_decisions", "decision_id"),
        ] {
            let sql = format!(
                "SELECT l.action_id, l.{linked_column} FROM {table} l
                 JOIN actions a ON a.id = l.action_id
                 WHERE a.{column} = $1 ORDER BY l.{linked_column}"
            );
            for row in sqlx::query(&sql).bind(&value).fetch_all(&self.pool).await? {
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
                if linked_column == "finding_id" {
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

    pub async fn plan(&self, id: Id<ActionPlan>) -> Result<Option<ActionPlan>> {
        sqlx::query("SELECT * FROM action_plans WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(plan)
            .transpose()
    }

    /// An action (with what it answers) and the plan version that holds it.
    pub async fn action(&self, id: Id<Action>) -> Result<Option<(ActionPlan, Action)>> {
        let Some(action) = self.actions_where("id", id.to_string()).await?.pop() else {
            return Ok(None);
        };
        Ok(self.plan(action.plan_id).await?.map(|plan| (plan, action)))
    }

    pub async fn milestones(&self, plan: Id<ActionPlan>) -> Result<Vec<Milestone>> {
        sqlx::query(
            "SELECT m.* FROM milestones m JOIN actions a ON a.id = m.action_id
             WHERE a.plan_id = $1 ORDER BY m.due_quarter, m.title, m.id",
        )
        .bind(plan.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(milestone)
        .collect()
    }

    /// Every measurement of a plan's indicators, oldest first.
    pub async fn plan_measurements(&self, plan: Id<ActionPlan>) -> Result<Vec<Measurement>> {
        sqlx::query(
            "SELECT m.* FROM measurements m JOIN plan_indicators i ON i.id = m.indicator_id
             JOIN actions a ON a.id = i.action_id
             WHERE a.plan_id = $1 ORDER BY m.measured_on, m.id",
        )
        .bind(plan.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(measurement)
        .collect()
    }

    /// Everything a plan version holds, follow-up included.
    pub async fn plan_content(&self, plan: Id<ActionPlan>) -> Result<PlanContent> {
        Ok(PlanContent {
            actions: self.actions(plan).await?,
            lines: self.budget_lines(plan).await?,
            indicators: self.plan_indicators(plan).await?,
            milestones: self.milestones(plan).await?,
            measurements: self.plan_measurements(plan).await?,
        })
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
        self.require_draft(a.plan_id).await?;
        self.check_traced(a).await?;
        self.write_action(a).await
    }

    async fn write_action(&mut self, a: &Action) -> Result<()> {
        sqlx::query(
            "INSERT INTO actions (id, plan_id, title, description, lead_partner, partners,
                target_groups, localities, start_quarter, end_quarter, status, pdsec_axis, risks,
                resources, origin_id, objective)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
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
        .bind(&a.resources)
        .bind(a.origin_id.map(|o| o.to_string()))
        .bind(&a.objective)
        .execute(self.conn())
        .await?;
        self.insert_links(a).await
    }

    /// Rewrites an action of a draft plan (its links included), under the same rules as a new one.
    pub async fn update_action(&mut self, a: &Action) -> Result<()> {
        self.require_draft(a.plan_id).await?;
        self.check_traced(a).await?;
        let done = sqlx::query(
            "UPDATE actions SET title = $2, description = $3, lead_partner = $4, partners = $5,
                target_groups = $6, localities = $7, start_quarter = $8, end_quarter = $9,
                pdsec_axis = $10, risks = $11, resources = $12, objective = $14
             WHERE id = $1 AND plan_id = $13",
        )
        .bind(a.id.to_string())
        .bind(&a.title)
        .bind(&a.description)
        .bind(&a.lead_partner)
        .bind(json_text(&a.partners))
        .bind(&a.target_groups)
        .bind(&a.localities)
        .bind(i64::from(a.start.index()))
        .bind(i64::from(a.end.index()))
        .bind(&a.pdsec_axis)
        .bind(&a.risks)
        .bind(&a.resources)
        .bind(a.plan_id.to_string())
        .bind(&a.objective)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.action", a.id));
        }
        for table in ["action_findings", "action_decisions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE action_id = $1"))
                .bind(a.id.to_string())
                .execute(self.conn())
                .await?;
        }
        self.insert_links(a).await
    }

    /// Removes an action of a draft plan with its budget lines, indicators (and their
    /// measurements) and milestones.
    pub async fn delete_action(&mut self, action: Id<Action>) -> Result<()> {
        self.require_draft_action(action).await?;
        let id = action.to_string();
        for sql in [
            "DELETE FROM measurements WHERE indicator_id IN
                (SELECT id FROM plan_indicators WHERE action_id = $1)",
            "DELETE FROM plan_indicators WHERE action_id = $1",
            "DELETE FROM budget_lines WHERE action_id = $1",
            "DELETE FROM milestones WHERE action_id = $1",
            "DELETE FROM action_findings WHERE action_id = $1",
            "DELETE FROM action_decisions WHERE action_id = $1",
            "DELETE FROM actions WHERE id = $1",
        ] {
            sqlx::query(sql).bind(&id).execute(self.conn()).await?;
        }
        Ok(())
    }

    /// `require_draft` for the plan that holds an action.
    async fn require_draft_action(&mut self, action: Id<Action>) -> Result<()> {
        let plan: Option<String> = sqlx::query("SELECT plan_id FROM actions WHERE id = $1")
            .bind(action.to_string())
            .fetch_optional(self.conn())
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
        let plan = plan
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| StoreError::not_found("missing.action", action))?;
        self.require_draft(plan).await
    }

    /// An adopted (or revised) version is what a meeting agreed: it changes only through a
    /// new version. Follow-up (status, milestones reached, measurements) is not a change.
    async fn require_draft(&mut self, plan: Id<ActionPlan>) -> Result<()> {
        let row = sqlx::query("SELECT status, version FROM action_plans WHERE id = $1")
            .bind(plan.to_string())
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::not_found("missing.plan", plan))?;
        let status: String = row.try_get(0)?;
        let version: i64 = row.try_get(1)?;
        if status != PlanStatus::Draft.code() {
            return Err(ActionError::Frozen(version).into());
        }
        Ok(())
    }

    async fn check_traced(&mut self, a: &Action) -> Result<()> {
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
        Ok(())
    }

    async fn insert_links(&mut self, a: &Action) -> Result<()> {
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
        self.require_draft_action(b.action_id).await?;
        self.write_budget_line(b).await
    }

    async fn write_budget_line(&mut self, b: &BudgetLine) -> Result<()> {
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
        self.require_draft_action(i.action_id).await?;
        self.write_plan_indicator(i).await
    }

    async fn write_plan_indicator(&mut self, i: &PlanIndicator) -> Result<()> {
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
            return Err(crate::StoreError::not_found("missing.action", action));
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

    /// Removes a budget line of a draft plan; `action` must be the line's.
    pub async fn delete_budget_line(
        &mut self,
        action: Id<Action>,
        line: Id<BudgetLine>,
    ) -> Result<()> {
        self.require_draft_action(action).await?;
        let done = sqlx::query("DELETE FROM budget_lines WHERE id = $1 AND action_id = $2")
            .bind(line.to_string())
            .bind(action.to_string())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.budget_line", line));
        }
        Ok(())
    }

    /// Removes an indicator of a draft plan with its measurements.
    pub async fn delete_plan_indicator(
        &mut self,
        action: Id<Action>,
        indicator: Id<PlanIndicator>,
    ) -> Result<()> {
        self.require_draft_action(action).await?;
        sqlx::query(
            "DELETE FROM measurements WHERE indicator_id IN
                (SELECT id FROM plan_indicators WHERE id = $1 AND action_id = $2)",
        )
        .bind(indicator.to_string())
        .bind(action.to_string())
        .execute(self.conn())
        .await?;
        let done = sqlx::query("DELETE FROM plan_indicators WHERE id = $1 AND action_id = $2")
            .bind(indicator.to_string())
            .bind(action.to_string())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.indicator", indicator));
        }
        Ok(())
    }

    pub async fn insert_milestone(&mut self, m: &Milestone) -> Result<()> {
        self.require_draft_action(m.action_id).await?;
        self.write_milestone(m).await
    }

    async fn write_milestone(&mut self, m: &Milestone) -> Result<()> {
        sqlx::query(
            "INSERT INTO milestones (id, action_id, title, due_quarter, done_on)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(m.id.to_string())
        .bind(m.action_id.to_string())
        .bind(&m.title)
        .bind(i64::from(m.due.index()))
        .bind(m.done_on.map(date_text))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Marks a milestone reached on a date, or not reached (`None`): follow-up, allowed on
    /// any version.
    pub async fn set_milestone_done(
        &mut self,
        action: Id<Action>,
        milestone: Id<Milestone>,
        done_on: Option<time::Date>,
    ) -> Result<()> {
        let done =
            sqlx::query("UPDATE milestones SET done_on = $3 WHERE id = $1 AND action_id = $2")
                .bind(milestone.to_string())
                .bind(action.to_string())
                .bind(done_on.map(date_text))
                .execute(self.conn())
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.milestone", milestone));
        }
        Ok(())
    }

    /// A meeting adopts a draft version on a date: the first version becomes `adopted`, a later
    /// one `revised` (adopted after a review). From then on it changes only through a new version.
    pub async fn adopt_plan(
        &mut self,
        plan: Id<ActionPlan>,
        meeting: Id<Meeting>,
        on: time::Date,
    ) -> Result<()> {
        self.require_draft(plan).await?;
        sqlx::query(
            "UPDATE action_plans SET status = CASE WHEN version = 1 THEN $2 ELSE $3 END,
                adopted_on = $4, adopted_by_meeting = $5
             WHERE id = $1",
        )
        .bind(plan.to_string())
        .bind(PlanStatus::Adopted.code())
        .bind(PlanStatus::Revised.code())
        .bind(date_text(on))
        .bind(meeting.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Starts the next version of a plan as a draft holding a copy of the one before it,
    /// follow-up included (`PlanContent::carried_into`).
    pub async fn insert_revision(
        &mut self,
        next: &ActionPlan,
        content: &PlanContent,
    ) -> Result<()> {
        self.insert_plan(next).await?;
        // One draft check for the whole copy; each action is still held to traceability.
        self.require_draft(next.id).await?;
        for a in &content.actions {
            self.check_traced(a).await?;
            self.write_action(a).await?;
        }
        for l in &content.lines {
            self.write_budget_line(l).await?;
        }
        for i in &content.indicators {
            self.write_plan_indicator(i).await?;
        }
        for m in &content.milestones {
            self.write_milestone(m).await?;
        }
        for m in &content.measurements {
            self.insert_measurement(m).await?;
        }
        Ok(())
    }
}
