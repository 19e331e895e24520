//! Indicators, and their values for each community with the provenance they were made from.

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::indicator::{Indicator, IndicatorValue, Provenance};
use sigida_core::instrument::Instrument;
use sigida_core::{Id, Timestamp};

use crate::rows::Cols;
use crate::{Result, Store, StoreError, Tx};

fn indicator(row: &sqlx::any::AnyRow) -> Result<Indicator> {
    let c = Cols::of("indicators", row);
    let by = c.text("by_columns")?;
    Ok(Indicator {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        instrument_id: c.id("instrument_id")?,
        code: c.text("code")?,
        label: c.text("label")?,
        theme: c.code("theme")?,
        kind: c.code("kind")?,
        question: c.text("question")?,
        option: c.opt_text("option_value")?,
        weight_column: c.opt_text("weight_column")?,
        strata_column: c.opt_text("strata_column")?,
        cluster_column: c.opt_text("cluster_column")?,
        locality_column: c.text("locality_column")?,
        by: by
            .split(',')
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

fn value(row: &sqlx::any::AnyRow) -> Result<IndicatorValue> {
    let c = Cols::of("indicator_values", row);
    let by = match (c.opt_text("by_column")?, c.opt_text("by_value")?) {
        (Some(column), Some(value)) => Some((column, value)),
        _ => None,
    };
    let imports = c
        .text("imports")?
        .split(',')
        .filter(|i| !i.is_empty())
        .map(|i| {
            i.parse().map_err(|_| StoreError::Corrupt {
                table: "indicator_values",
                column: "imports",
                detail: format!("« {i} » n'est pas un identifiant"),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(IndicatorValue {
        indicator_id: c.id("indicator_id")?,
        community_id: c.id("community_id")?,
        by,
        estimate: c.f64("estimate")?,
        se: c.f64("se")?,
        ci_low: c.f64("ci_low")?,
        ci_high: c.f64("ci_high")?,
        n: u64::try_from(c.i64("n")?).unwrap_or(0),
        provenance: Provenance {
            imports,
            log_version: c.text("log_version")?,
            method: c.text("method")?,
        },
        computed_at: c.timestamp("computed_at")?,
    })
}

impl Store {
    /// Each indicator of the diagnostic linked to a risk, and the risk.
    pub async fn indicator_risks(
        &self,
        diagnostic: Id<Diagnostic>,
    ) -> Result<Vec<(Id<Indicator>, sigida_core::protection::RiskType)>> {
        let rows = sqlx::query(
            "SELECT r.indicator_id, r.risk FROM indicator_risks r
             JOIN indicators i ON i.id = r.indicator_id
             WHERE i.diagnostic_id = $1 ORDER BY i.code",
        )
        .bind(diagnostic.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::of("indicator_risks", row);
                Ok((c.id("indicator_id")?, c.code("risk")?))
            })
            .collect()
    }

    /// The imports that brought an instrument's submissions, oldest first: the data part of
    /// an indicator's provenance.
    pub async fn instrument_import_ids(
        &self,
        instrument: Id<sigida_core::instrument::Instrument>,
    ) -> Result<Vec<Id<sigida_core::instrument::RawImport>>> {
        sqlx::query(
            "SELECT s.import_id FROM submission_sets s JOIN raw_imports r ON r.id = s.import_id
             WHERE s.instrument_id = $1 ORDER BY r.imported_at, r.id",
        )
        .bind(instrument.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| Cols::of("submission_sets", row).id("import_id"))
        .collect()
    }

    pub async fn indicators(&self, diagnostic: Id<Diagnostic>) -> Result<Vec<Indicator>> {
        sqlx::query("SELECT * FROM indicators WHERE diagnostic_id = $1 ORDER BY theme, code")
            .bind(diagnostic.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(indicator)
            .collect()
    }

    /// The stored values of an indicator for a community, in the order they were computed.
    pub async fn indicator_values(
        &self,
        indicator: Id<Indicator>,
        community: Id<Community>,
    ) -> Result<Vec<IndicatorValue>> {
        sqlx::query(
            "SELECT * FROM indicator_values WHERE indicator_id = $1 AND community_id = $2
             ORDER BY seq",
        )
        .bind(indicator.to_string())
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(value)
        .collect()
    }
}

impl Store {
    /// The question of `instrument` that says where each answer was given, when set.
    pub async fn locality_question(&self, instrument: Id<Instrument>) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT question FROM instrument_localities WHERE instrument_id = $1")
                .bind(instrument.to_string())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref()
            .map(|r| Cols::of("instrument_localities", r).text("question"))
            .transpose()
    }

    /// The answers of `instrument` a person mapped to a locality.
    pub async fn locality_answers(
        &self,
        instrument: Id<Instrument>,
    ) -> Result<Vec<(String, Id<sigida_core::geography::Locality>)>> {
        sqlx::query("SELECT * FROM locality_answers WHERE instrument_id = $1 ORDER BY answer")
            .bind(instrument.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let c = Cols::of("locality_answers", r);
                Ok((c.text("answer")?, c.id("locality_id")?))
            })
            .collect()
    }
}

impl Tx {
    /// Sets the instrument's locality question and the answers mapped to localities (all of
    /// them: the mapping replaces the previous one), and forgets the values its indicators had:
    /// they are computed again on the rows the new mapping gives.
    pub async fn set_locality_mapping(
        &mut self,
        instrument: Id<Instrument>,
        question: &str,
        answers: &[(String, Id<sigida_core::geography::Locality>)],
    ) -> Result<()> {
        let id = instrument.to_string();
        sqlx::query("DELETE FROM instrument_localities WHERE instrument_id = $1")
            .bind(&id)
            .execute(self.conn())
            .await?;
        sqlx::query("INSERT INTO instrument_localities (instrument_id, question) VALUES ($1, $2)")
            .bind(&id)
            .bind(question)
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM locality_answers WHERE instrument_id = $1")
            .bind(&id)
            .execute(self.conn())
            .await?;
        for (answer, locality) in answers {
            sqlx::query(
                "INSERT INTO locality_answers (instrument_id, answer, locality_id) VALUES ($1, $2, $3)",
            )
            .bind(&id)
            .bind(answer)
            .bind(locality.to_string())
            .execute(self.conn())
            .await?;
        }
        sqlx::query(
            "DELETE FROM indicator_values WHERE indicator_id IN
                (SELECT id FROM indicators WHERE instrument_id = $1)",
        )
        .bind(&id)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_indicator(&mut self, i: &Indicator) -> Result<()> {
        sqlx::query(
            "INSERT INTO indicators (id, diagnostic_id, instrument_id, code, label, theme, kind,
                question, option_value, weight_column, strata_column, cluster_column,
                locality_column, by_columns)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(i.id.to_string())
        .bind(i.diagnostic_id.to_string())
        .bind(i.instrument_id.to_string())
        .bind(&i.code)
        .bind(&i.label)
        .bind(i.theme.code())
        .bind(i.kind.code())
        .bind(&i.question)
        .bind(&i.option)
        .bind(&i.weight_column)
        .bind(&i.strata_column)
        .bind(&i.cluster_column)
        .bind(&i.locality_column)
        .bind(i.by.join(","))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// An indicator's definition as the analyst corrected it (its stored values stand until
    /// their provenance, which names the definition, no longer matches).
    pub async fn update_indicator(&mut self, i: &Indicator) -> Result<()> {
        let done = sqlx::query(
            "UPDATE indicators SET instrument_id = $2, code = $3, label = $4, theme = $5,
                kind = $6, question = $7, option_value = $8, weight_column = $9,
                strata_column = $10, cluster_column = $11, locality_column = $12,
                by_columns = $13
             WHERE id = $1",
        )
        .bind(i.id.to_string())
        .bind(i.instrument_id.to_string())
        .bind(&i.code)
        .bind(&i.label)
        .bind(i.theme.code())
        .bind(i.kind.code())
        .bind(&i.question)
        .bind(&i.option)
        .bind(&i.weight_column)
        .bind(&i.strata_column)
        .bind(&i.cluster_column)
        .bind(&i.locality_column)
        .bind(i.by.join(","))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.indicator", i.id));
        }
        Ok(())
    }

    /// The risk an indicator measures (`None`: no longer linked).
    pub async fn set_indicator_risk(
        &mut self,
        indicator: Id<Indicator>,
        risk: Option<sigida_core::protection::RiskType>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM indicator_risks WHERE indicator_id = $1")
            .bind(indicator.to_string())
            .execute(self.conn())
            .await?;
        if let Some(risk) = risk {
            sqlx::query("INSERT INTO indicator_risks (indicator_id, risk) VALUES ($1, $2)")
                .bind(indicator.to_string())
                .bind(risk.code())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// An indicator and its values, gone (the caller has checked nothing cites it).
    pub async fn delete_indicator(&mut self, id: Id<Indicator>) -> Result<()> {
        sqlx::query("DELETE FROM indicator_risks WHERE indicator_id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        sqlx::query("DELETE FROM indicator_values WHERE indicator_id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        let done = sqlx::query("DELETE FROM indicators WHERE id = $1")
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.indicator", id));
        }
        Ok(())
    }

    /// An indicator as it stands inside this transaction.
    pub async fn indicator_here(&mut self, id: Id<Indicator>) -> Result<Option<Indicator>> {
        sqlx::query("SELECT * FROM indicators WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.conn())
            .await?
            .as_ref()
            .map(indicator)
            .transpose()
    }

    /// The label of another indicator of the diagnostic with this code, if one has it.
    pub async fn indicator_code_holder(
        &mut self,
        diagnostic: Id<Diagnostic>,
        code: &str,
        except: Id<Indicator>,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT label FROM indicators WHERE diagnostic_id = $1 AND code = $2 AND id <> $3",
        )
        .bind(diagnostic.to_string())
        .bind(code)
        .bind(except.to_string())
        .fetch_optional(self.conn())
        .await?;
        row.as_ref()
            .map(|r| Cols::of("indicators", r).text("label"))
            .transpose()
    }

    /// How many pieces of evidence cite an indicator (overall or a cell), by its code.
    pub async fn indicator_citations_here(&mut self, code: &str) -> Result<i64> {
        let reference = format!("indicator|{}", code.replace('%', "%25").replace('|', "%7C"));
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM evidence
             WHERE reference = $1 OR reference LIKE $2 ESCAPE '!'",
        )
        .bind(&reference)
        .bind(format!(
            "{}|%",
            reference
                .replace('!', "!!")
                .replace('%', "!%")
                .replace('_', "!_")
        ))
        .fetch_one(self.conn())
        .await?;
        Cols::of("evidence", &row).i64("n")
    }

    /// Replaces an indicator's values for a community (a new provenance: all of them).
    pub async fn replace_indicator_values(
        &mut self,
        indicator: Id<Indicator>,
        community: Id<Community>,
        values: &[IndicatorValue],
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query("DELETE FROM indicator_values WHERE indicator_id = $1 AND community_id = $2")
            .bind(indicator.to_string())
            .bind(community.to_string())
            .execute(self.conn())
            .await?;
        for (seq, v) in values.iter().enumerate() {
            sqlx::query(
                "INSERT INTO indicator_values (indicator_id, community_id, seq, by_column,
                    by_value, estimate, se, ci_low, ci_high, n, imports, log_version, method,
                    computed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(indicator.to_string())
            .bind(community.to_string())
            .bind(seq as i64)
            .bind(v.by.as_ref().map(|(c, _)| c.clone()))
            .bind(v.by.as_ref().map(|(_, value)| value.clone()))
            .bind(v.estimate)
            .bind(v.se)
            .bind(v.ci_low)
            .bind(v.ci_high)
            .bind(i64::try_from(v.n).unwrap_or(i64::MAX))
            .bind(
                v.provenance
                    .imports
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .bind(&v.provenance.log_version)
            .bind(&v.provenance.method)
            .bind(at.to_rfc3339())
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}
