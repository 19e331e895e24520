//! Erasure on request: a person's personal fields emptied, the row kept (so counts, tallies
//! and votes stay right), the erasure listed, and what the fields held zeroed on disk.

use sigida_core::{Id, Timestamp};

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

    fn statement(self) -> &'static str {
        match self {
            Erasable::Participant => {
                "UPDATE participants SET name = NULL, check_code = '', check_code_hash = '' WHERE id = $1"
            }
            Erasable::Stakeholder => {
                "UPDATE stakeholders SET contact_name = '', contact_phone = '' WHERE id = $1"
            }
            Erasable::ServiceProvider => {
                "UPDATE service_providers SET contact_phone = '' WHERE id = $1"
            }
        }
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
    /// Empties the personal fields of `subject` and lists the erasure (`by`: who asked it done).
    pub async fn erase(
        &mut self,
        kind: Erasable,
        subject: &str,
        at: Timestamp,
        by: Option<&str>,
    ) -> Result<()> {
        let done = sqlx::query(kind.statement())
            .bind(subject)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(kind.missing(), subject));
        }
        // A phone that joined with the code holds a token: it votes no more.
        if kind == Erasable::Participant {
            sqlx::query("DELETE FROM voter_tokens WHERE participant_id = $1")
                .bind(subject)
                .execute(self.conn())
                .await?;
        }
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

impl Store {
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
