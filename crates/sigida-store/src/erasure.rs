//! Erasure on request: a person's personal fields emptied, the row kept (so counts, tallies
//! and votes stay right), the erasure listed, and what the fields held zeroed on disk.

use sigida_core::instrument::{Instrument, RawImport};
use sigida_core::{Id, Timestamp};

use crate::rows::Cols;
use crate::sync::{Dialect, key_text};
use crate::{Backend, Result, Store, StoreError, Tx};

/// Whose personal data is erased.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Erasable {
    /// A meeting's participant: their name (the code that voted goes too).
    Participant,
    /// A stakeholder's contact person and phone.
    Stakeholder,
    /// A service provider's phone.
    ServiceProvider,
}

impl Erasable {
    pub fn code(self) -> &'static str {
        match self {
            Erasable::Participant => "participant",
            Erasable::Stakeholder => "stakeholder",
            Erasable::ServiceProvider => "service_provider",
        }
    }

    /// The statement that erases the subject's fields (`$1`: its id), from [`Self::erased`].
    fn statement(self) -> String {
        let (table, fields) = self.erased();
        let sets: Vec<String> = fields
            .iter()
            .map(|(f, v)| match v {
                Some(v) => format!("{f} = '{v}'"),
                None => format!("{f} = NULL"),
            })
            .collect();
        format!("UPDATE {table} SET {} WHERE id = $1", sets.join(", "))
    }

    /// The table the subject is a row of, and what its erased fields hold after the erasure.
    fn erased(
        self,
    ) -> (
        &'static str,
        &'static [(&'static str, Option<&'static str>)],
    ) {
        match self {
            Erasable::Participant => (
                "participants",
                &[
                    ("name", None),
                    ("check_code", Some("")),
                    ("check_code_hash", Some("")),
                ],
            ),
            Erasable::Stakeholder => (
                "stakeholders",
                &[("contact_name", Some("")), ("contact_phone", Some(""))],
            ),
            Erasable::ServiceProvider => ("service_providers", &[("contact_phone", Some(""))]),
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [
            Erasable::Participant,
            Erasable::Stakeholder,
            Erasable::ServiceProvider,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    fn missing(self) -> &'static str {
        match self {
            Erasable::Participant => "missing.participant",
            Erasable::Stakeholder => "missing.stakeholder",
            Erasable::ServiceProvider => "missing.service_provider",
        }
    }
}

impl Tx {
    /// What must follow an erasure on this copy: a phone that joined with the code votes no
    /// more, and the change log and its conflicts keep no earlier value of the erased fields
    /// (the log is what travels to other copies).
    async fn erased_everywhere(&mut self, kind: Erasable, subject: &str) -> Result<()> {
        if kind == Erasable::Participant {
            sqlx::query("DELETE FROM voter_tokens WHERE participant_id = $1")
                .bind(subject)
                .execute(self.conn())
                .await?;
        }
        let dialect = Dialect::of(self.conn());
        let (table, fields) = kind.erased();
        let values: Vec<(&str, String)> = fields
            .iter()
            .map(|(f, v)| (*f, v.map_or("NULL".to_owned(), |v| format!("'{v}'"))))
            .collect();
        let set: Vec<(&str, &str)> = values.iter().map(|(f, v)| (*f, v.as_str())).collect();
        sqlx::query(&format!(
            "UPDATE sync_changes SET
                old_row = CASE WHEN old_row IS NULL THEN NULL ELSE {} END,
                new_row = CASE WHEN new_row IS NULL THEN NULL ELSE {} END
             WHERE tbl = $1 AND pk = $2",
            dialect.json_set("old_row", &set),
            dialect.json_set("new_row", &set),
        ))
        .bind(table)
        .bind(key_text(&[subject.into()]))
        .execute(self.conn())
        .await?;
        let names: Vec<String> = fields.iter().map(|(f, _)| format!("'{f}'")).collect();
        sqlx::query(&format!(
            "UPDATE sync_conflicts SET base_value = NULL, local_value = NULL, remote_value = NULL
             WHERE tbl = $1 AND pk = $2 AND field IN ('*', {})",
            names.join(", ")
        ))
        .bind(table)
        .bind(key_text(&[subject.into()]))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Carries out again every erasure this copy lists (those that came from other copies
    /// too): a field erased elsewhere is emptied here, and one an older copy filled again is
    /// emptied again. Run after another copy's changes are applied.
    pub(crate) async fn reapply_erasures(&mut self) -> Result<()> {
        use sqlx::Row;
        let listed = sqlx::query("SELECT kind, subject_id FROM erasures")
            .fetch_all(self.conn())
            .await?;
        for row in &listed {
            let (code, subject): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let Some(kind) = Erasable::from_code(&code) else {
                continue;
            };
            sqlx::query(&kind.statement())
                .bind(&subject)
                .execute(self.conn())
                .await?;
            self.erased_everywhere(kind, &subject).await?;
        }
        Ok(())
    }

    /// Empties the personal fields of `subject` and lists the erasure (`by`: who asked it done).
    pub async fn erase(
        &mut self,
        kind: Erasable,
        subject: &str,
        at: Timestamp,
        by: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(&kind.statement())
            .bind(subject)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(kind.missing(), subject));
        }
        self.erased_everywhere(kind, subject).await?;
        sqlx::query(
            "INSERT INTO erasures (id, kind, subject_id, erased_at, erased_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(Id::<()>::new().to_string())
        .bind(kind.code())
        .bind(subject)
        .bind(at.to_rfc3339())
        .bind(by)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

/// What an erasure of a survey respondent is listed as.
const RESPONDENT: &str = "respondent";

impl Tx {
    /// Lists the erasure of a survey respondent (submission `uuid` of `instrument`); their
    /// answers are the application's to redact ([`Tx::redact_raw_file`],
    /// [`Tx::blank_respondent`]).
    pub async fn erase_respondent(
        &mut self,
        instrument: Id<Instrument>,
        uuid: &str,
        at: Timestamp,
        by: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO erasures (id, kind, subject_id, erased_at, erased_by, instrument_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Id::<()>::new().to_string())
        .bind(RESPONDENT)
        .bind(uuid)
        .bind(at.to_rfc3339())
        .bind(by)
        .bind(instrument.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Empties what the cleaning log holds (and held, in the change log) of an erased
    /// respondent's answers to `columns`, their personal questions.
    pub async fn blank_respondent(
        &mut self,
        instrument: Id<Instrument>,
        uuid: &str,
        columns: &[String],
    ) -> Result<()> {
        let dialect = Dialect::of(self.conn());
        let blank = [("old_value", "''"), ("new_value", "''")];
        let field = |f| dialect.json_text("COALESCE(new_row, old_row)", f);
        // The log's earlier versions of those entries too.
        let earlier = format!(
            "UPDATE sync_changes SET
                old_row = CASE WHEN old_row IS NULL THEN NULL ELSE {} END,
                new_row = CASE WHEN new_row IS NULL THEN NULL ELSE {} END
             WHERE tbl = 'cleaning_log' AND {} = $1 AND {} = $2 AND {} = $3",
            dialect.json_set("old_row", &blank),
            dialect.json_set("new_row", &blank),
            field("instrument_id"),
            field("uuid"),
            field("question"),
        );
        for column in columns {
            sqlx::query(
                "UPDATE cleaning_log SET old_value = '', new_value = ''
                 WHERE instrument_id = $1 AND uuid = $2 AND question = $3",
            )
            .bind(instrument.to_string())
            .bind(uuid)
            .bind(column)
            .execute(self.conn())
            .await?;
            sqlx::query(&earlier)
                .bind(instrument.to_string())
                .bind(uuid)
                .bind(column)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    /// Empties the values an import's check kept for some rows of one of its sheets.
    pub async fn blank_problem_values(
        &mut self,
        import: Id<RawImport>,
        sheet: Option<&str>,
        rows: &[i64],
    ) -> Result<()> {
        for row in rows {
            sqlx::query(
                "UPDATE import_problems SET value = ''
                 WHERE import_id = $1 AND row_number = $2 AND COALESCE(sheet, '') = $3",
            )
            .bind(import.to_string())
            .bind(row)
            .bind(sheet.unwrap_or(""))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// The submissions of `instrument` whose respondent was erased.
    pub async fn erased_respondents(
        &self,
        instrument: Id<Instrument>,
    ) -> Result<std::collections::HashSet<String>> {
        use sqlx::Row;
        sqlx::query("SELECT subject_id FROM erasures WHERE kind = $1 AND instrument_id = $2")
            .bind(RESPONDENT)
            .bind(instrument.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok(row.try_get(0)?))
            .collect()
    }

    /// The instrument a submission (by its uuid, without `uuid:`) was imported into.
    pub async fn instrument_of_submission(&self, uuid: &str) -> Result<Option<Id<Instrument>>> {
        use sqlx::Row;
        let rows = sqlx::query("SELECT instrument_id, entries FROM submission_sets")
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let entries: Vec<u8> = row.try_get(1)?;
            let holds = entries
                .split(|b| *b == b'\n')
                .any(|line| line.split(|b| *b == b'\t').next() == Some(uuid.as_bytes()));
            if holds {
                return Ok(Some(Cols::of("submission_sets", &row).id("instrument_id")?));
            }
        }
        Ok(None)
    }

    /// After an erasure: the write-ahead log copied into the database and emptied, so that no
    /// earlier version of an erased field stays in a file (`secure_delete` has zeroed it in the
    /// database's pages).
    pub async fn scrub(&self) -> Result<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// How many erasures this copy has carried out.
    pub async fn erasure_count(&self) -> Result<i64> {
        use sqlx::Row;
        let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM erasures")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}
