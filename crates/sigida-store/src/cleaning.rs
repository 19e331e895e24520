//! The cleaning log of each instrument.

use sigida_core::Id;
use sigida_core::cleaning::{Decision, LogEntry};
use sigida_core::instrument::{Instrument, RawImport};
use sqlx::Row;

use crate::rows::Cols;
use crate::sealing::Sealer;
use crate::{Result, Store, StoreError, Tx};

fn entry(row: &sqlx::any::AnyRow, s: &Sealer) -> Result<LogEntry> {
    let c = Cols::of("cleaning_log", row);
    let code = c.text("decision")?;
    Ok(LogEntry {
        uuid: c.text("uuid")?,
        loop_index: c.text("loop_index")?,
        question: c.text("question")?,
        old_value: s.open_text("cleaning_log", "old_value", c.text("old_value")?)?,
        new_value: s.open_text("cleaning_log", "new_value", c.text("new_value")?)?,
        issue: c.text("issue")?,
        check: c.text("check_name")?,
        decision: Decision::parse(&code).ok_or_else(|| StoreError::Corrupt {
            table: "cleaning_log",
            column: "decision",
            detail: code,
        })?,
        author: c.text("author")?,
        date: c.text("entry_date")?,
        reason: c.text("reason")?,
    })
}

/// What merging entries into a log did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogMerge {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl Store {
    /// The cleaning log of an instrument, in order.
    pub async fn cleaning_log(&self, instrument: Id<Instrument>) -> Result<Vec<LogEntry>> {
        Ok(self
            .numbered_log(instrument)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// The cleaning log with each entry's number (its place in the log).
    pub async fn numbered_log(&self, instrument: Id<Instrument>) -> Result<Vec<(i64, LogEntry)>> {
        sqlx::query("SELECT * FROM cleaning_log WHERE instrument_id = $1 ORDER BY seq")
            .bind(instrument.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<i64, _>("seq")?, entry(row, &self.seal)?)))
            .collect()
    }

    pub async fn instrument(&self, id: Id<Instrument>) -> Result<Option<Instrument>> {
        let row = sqlx::query("SELECT * FROM instruments WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let c = Cols::of("instruments", &row);
            Ok(Instrument {
                id: c.id("id")?,
                diagnostic_id: c.id("diagnostic_id")?,
                kind: c.code("kind")?,
                name: c.text("name")?,
            })
        })
        .transpose()
    }

    /// The survey-data imports of an instrument that brought submissions, oldest first, with
    /// the ids of the submissions each brought.
    pub async fn imports_with_submissions(
        &self,
        instrument: Id<Instrument>,
    ) -> Result<Vec<(RawImport, Vec<String>)>> {
        let rows = sqlx::query("SELECT import_id FROM submission_sets WHERE instrument_id = $1")
            .bind(instrument.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for row in rows {
            let import: String = row.try_get(0)?;
            let id = import
                .parse()
                .map_err(|e: uuid::Error| StoreError::Corrupt {
                    table: "submission_sets",
                    column: "import_id",
                    detail: e.to_string(),
                })?;
            let uuids = self
                .submissions_of_import(id)
                .await?
                .into_iter()
                .map(|(uuid, _)| uuid)
                .collect();
            out.push((self.raw_import(id).await?, uuids));
        }
        out.sort_by_key(|(import, _)| import.imported_at);
        Ok(out)
    }
}

impl Tx {
    /// Records a decision about entry `seq` of an instrument's log.
    pub async fn decide(
        &mut self,
        instrument: Id<Instrument>,
        seq: i64,
        decision: &LogEntry,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE cleaning_log SET new_value = $3, decision = $4, author = $5, entry_date = $6, reason = $7
             WHERE instrument_id = $1 AND seq = $2",
        )
        .bind(instrument.to_string())
        .bind(seq)
        .bind(self.1.text(&decision.new_value))
        .bind(decision.decision.code())
        .bind(&decision.author)
        .bind(&decision.date)
        .bind(&decision.reason)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.log_entry", seq));
        }
        Ok(())
    }

    /// Merges entries into an instrument's log. An entry about the same submission, column and
    /// issue as one already there updates its decision; others are added at the end.
    pub async fn merge_log(
        &mut self,
        instrument: Id<Instrument>,
        entries: &[LogEntry],
    ) -> Result<LogMerge> {
        let id = instrument.to_string();
        let mut existing: Vec<(i64, LogEntry)> = Vec::new();
        for row in sqlx::query("SELECT * FROM cleaning_log WHERE instrument_id = $1 ORDER BY seq")
            .bind(&id)
            .fetch_all(self.conn())
            .await?
        {
            let seq: i64 = row.try_get("seq")?;
            existing.push((seq, entry(&row, &self.1)?));
        }
        let mut next = existing.last().map_or(0, |(s, _)| s + 1);
        let mut merge = LogMerge::default();
        // One entry per submission (or repeat row), column and issue: found by that key, so a
        // log of a hundred thousand entries merges without comparing every pair.
        let key = |e: &LogEntry| {
            (
                e.uuid.clone(),
                e.loop_index.clone(),
                e.question.clone(),
                e.issue.clone(),
            )
        };
        let mut position: std::collections::HashMap<(String, String, String, String), usize> =
            existing
                .iter()
                .enumerate()
                .map(|(i, (_, e))| (key(e), i))
                .collect();
        for e in entries {
            let same = position.get(&key(e)).map(|&i| &mut existing[i]);
            match same {
                Some((_, old)) if old == e => merge.unchanged += 1,
                Some((seq, old))
                    if e.decision == Decision::Pending && old.decision != Decision::Pending =>
                {
                    // A check that runs again does not undo a decision already taken.
                    let _ = seq;
                    merge.unchanged += 1;
                }
                Some((seq, old)) => {
                    sqlx::query(
                        "UPDATE cleaning_log SET old_value = $3, new_value = $4, check_name = $5, decision = $6,
                            author = $7, entry_date = $8, reason = $9 WHERE instrument_id = $1 AND seq = $2",
                    )
                    .bind(&id)
                    .bind(*seq)
                    .bind(self.1.text(&e.old_value))
                    .bind(self.1.text(&e.new_value))
                    .bind(&e.check)
                    .bind(e.decision.code())
                    .bind(&e.author)
                    .bind(&e.date)
                    .bind(&e.reason)
                    .execute(self.conn())
                    .await?;
                    *old = e.clone();
                    merge.updated += 1;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO cleaning_log (instrument_id, seq, uuid, question, old_value, new_value, issue,
                            check_name, decision, author, entry_date, reason, loop_index)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    )
                    .bind(&id)
                    .bind(next)
                    .bind(&e.uuid)
                    .bind(&e.question)
                    .bind(self.1.text(&e.old_value))
                    .bind(self.1.text(&e.new_value))
                    .bind(&e.issue)
                    .bind(&e.check)
                    .bind(e.decision.code())
                    .bind(&e.author)
                    .bind(&e.date)
                    .bind(&e.reason)
                    .bind(&e.loop_index)
                    .execute(self.conn())
                    .await?;
                    position.insert(key(e), existing.len());
                    existing.push((next, e.clone()));
                    next += 1;
                    merge.added += 1;
                }
            }
        }
        Ok(merge)
    }
}
