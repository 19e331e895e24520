//! The only crate that speaks SQL.
//!
//! One [`Store`] over SQLite (the embedded default: a file in the diagnostic's folder,
//! WAL journal, foreign keys on) or PostgreSQL (the central server). Both run the same
//! queries through sqlx's `Any` driver, written in the SQL both understand (`$n`
//! placeholders, `ON CONFLICT`), so they behave alike by construction; the DDL in
//! `migrations/` is written once and applied by `migrate` at every open.
//!
//! Layout: reads are methods of [`Store`]; every write goes through a [`Tx`] (one
//! transaction), so nothing is ever half-written. Rows are decoded in `rows`.
//!
//! - `geography`: admin units, communities, localities.
//! - `actors`: stakeholders, socio-economic groups, service providers.
//! - `imports`: raw files by content hash, instruments, submissions, import problems.
//! - `cleaning`: the cleaning log of each instrument.
//! - `exercises`: community exercises (their data as JSON).
//! - `analysis`: findings and evidence.
//! - `indicators`: indicator definitions, their values and provenance.
//! - `flows`: flow monitoring counts.
//! - `meetings`: meetings, participants, decisions.
//! - `qualitative`: interview notes, codebook, coded excerpts.
//! - `protection`: risk reports by source and locality.
//! - `plans`: action plans, actions, budget lines, indicators, measurements.
//! - `accounts`: users, sessions, the audit log.

mod accounts;
mod audit;
mod erasure;
pub mod sync;
pub use audit::{AuditBreak, AuditCheck};
pub use erasure::Erasable;
mod actors;
pub use actors::ActorTable;
mod analysis;
mod cleaning;
mod exercises;
mod flows;
mod geography;
mod imports;
mod indicators;
mod meetings;
mod migrate;
mod plans;
mod protection;
mod qualitative;
mod rows;
mod sealing;

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};

pub use accounts::NewSession;
pub use cleaning::LogMerge;
pub use geography::AdminUnitCounts;
pub use imports::{ImportProblem, NewSubmission, RawContent, RawFile, StoredImport, sha256_hex};
pub use migrate::MIGRATIONS_APPLIED_TABLE;

/// The file name of the embedded database inside a diagnostic's folder.
pub const SQLITE_FILE: &str = "sigida.db";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// What went wrong in the store. People read [`StoreError::refusal`] translated; the log
/// prints the same code with its values, and keeps the database's own error as the source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", self.refusal())]
    Database(#[from] sqlx::Error),
    #[error("{}", self.refusal())]
    UnsupportedUrl(String),
    #[error("{}", self.refusal())]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("{}", self.refusal())]
    NewerSchema(i64),
    /// The diagnostic's personal data is sealed and no key was given.
    #[error("{}", self.refusal())]
    Locked,
    /// The key given is not the diagnostic's.
    #[error("{}", self.refusal())]
    WrongKey,
    #[error("{}", self.refusal())]
    Corrupt {
        table: &'static str,
        column: &'static str,
        detail: String,
    },
    /// A record that is not there: `missing.<thing>` (`missing.action`…) and its id.
    #[error("{}", self.refusal())]
    NotFound { thing: &'static str, id: String },
    /// A record that would take the place of another (`taken.user` and the user name).
    #[error("{}", self.refusal())]
    Conflict { thing: &'static str, id: String },
    /// A write the rules refuse (a ballot on a closed question…): a code the user reads
    /// translated.
    #[error("{0}")]
    Refused(sigida_core::refusal::Refusal),
    #[error(transparent)]
    Rule(#[from] sigida_core::plan::ActionError),
    #[error(transparent)]
    RiskReport(#[from] sigida_core::protection::RiskReportError),
}

impl StoreError {
    /// `thing` is a catalogue code (`missing.action` → `refusal.missing.action`).
    pub fn not_found(thing: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            thing,
            id: id.to_string(),
        }
    }

    /// What a person reads, as a code and its values.
    pub fn refusal(&self) -> sigida_core::refusal::Refusal {
        use sigida_core::refusal::Refusal;
        match self {
            StoreError::Database(e) => Refusal::new("store.database").arg("detail", e.to_string()),
            StoreError::UnsupportedUrl(url) => {
                Refusal::new("store.url").arg("url", redact_url(url))
            }
            StoreError::Migration {
                version,
                name,
                source,
            } => Refusal::new("store.migration")
                .arg("version", version.to_string())
                .arg("name", *name)
                .arg("detail", source.to_string()),
            StoreError::NewerSchema(v) => Refusal::new("store.newer").arg("version", v.to_string()),
            StoreError::Locked => Refusal::new("store.locked"),
            StoreError::WrongKey => Refusal::new("store.wrong_key"),
            StoreError::Corrupt {
                table,
                column,
                detail,
            } => Refusal::new("store.corrupt")
                .arg("table", *table)
                .arg("column", *column)
                .arg("detail", detail.as_str()),
            StoreError::NotFound { thing, id } | StoreError::Conflict { thing, id } => {
                Refusal::new(thing).arg("id", id.as_str())
            }
            StoreError::Refused(r) => r.clone(),
            StoreError::Rule(rule) => rule.refusal(),
            StoreError::RiskReport(r) => r.refusal(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The diagnostic's folder readable by its owner only (0700), and its database (0600) — made
/// empty before SQLite opens it, so that the journal files SQLite makes beside it take the same
/// mode. A folder Sigida may not change (not its owner's) is left as it is.
fn private_files(dir: &Path, database: &Path) {
    #[cfg(unix)]
    {
        let _ = sigida_vault::restrict(dir, 0o700);
        if !database.exists() {
            let _ = sigida_vault::create_private(database);
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", database.display()));
            if file.exists() {
                let _ = sigida_vault::restrict(&file, 0o600);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, database);
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    seal: sealing::Sealer,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

impl Store {
    /// Opens (creating it on first use) the embedded database of the diagnostic in `dir`.
    pub async fn open_dir(dir: &Path) -> Result<Self> {
        Self::open_dir_with(dir, None).await
    }

    /// The same, with the team's key: personal data is sealed with it (see `sealing`).
    pub async fn open_dir_with(dir: &Path, key: Option<sigida_vault::Key>) -> Result<Self> {
        let path = dir.join(SQLITE_FILE);
        private_files(dir, &path);
        Self::connect_with(&format!("sqlite://{}?mode=rwc", path.display()), key).await
    }

    /// Connects to `postgres://…` or `sqlite://…` and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, None).await
    }

    /// Connects with the team's key, or without one. A diagnostic that has a key opens only
    /// with it ([`StoreError::Locked`], [`StoreError::WrongKey`]); one opened with a key for
    /// the first time has its personal data sealed then.
    pub async fn connect_with(url: &str, key: Option<sigida_vault::Key>) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let options = AnyConnectOptions::from_str(url)?;
        if backend == Backend::Sqlite {
            // WAL lets the web server read while an import writes; a crash keeps every
            // committed transaction and none of the others. It is set once, on one connection,
            // before the pool opens any: it stays in the file, and connections of a pool racing
            // to switch the mode of a new file fail with "locked" until the pool times out.
            use sqlx::{Connection, Executor};
            let mut first = sqlx::AnyConnection::connect_with(&options).await?;
            first
                .execute("PRAGMA busy_timeout = 60000; PRAGMA journal_mode = WAL;")
                .await?;
            first.close().await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            // A laptop under load (a demo building while pages are served, two cores) can
            // keep every connection busy for a while: wait rather than fail the page.
            .acquire_timeout(std::time::Duration::from_secs(120))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        use sqlx::Executor;
                        // 60 s: a room voting at once queues behind one writer at a time,
                        // each commit waiting for the disk; a voter waits, never fails.
                        // FULL: a committed ballot or check-in survives the laptop losing
                        // power, not only the process dying (NORMAL may lose the last
                        // commits of the write-ahead log on a power cut).
                        conn.execute(
                            "PRAGMA busy_timeout = 60000; PRAGMA foreign_keys = ON; \
                             PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let mut store = Self {
            pool,
            backend,
            seal: sealing::Sealer::default(),
        };
        migrate::run(&store.pool, backend).await?;
        {
            let mut conn = store.pool.acquire().await?;
            sync::install(&mut conn).await?;
        }
        store.seal = sealing::Sealer::new(key);
        if let Err(e) = store.unlock().await {
            store.pool.close().await;
            return Err(e);
        }
        Ok(store)
    }

    /// Writes a consistent copy of the whole embedded database to `path` (a new file), as it
    /// is at one instant while others go on writing (`VACUUM INTO`: one read transaction).
    pub async fn snapshot_sqlite(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl("postgres".into()));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.display().to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx(self.pool.begin().await?, self.seal.clone()))
    }

    /// A transaction that reads before it writes and must not fail when another writer comes
    /// between (several laptops syncing at once): on SQLite it takes the write lock at once,
    /// waiting its turn, rather than failing when it first writes.
    pub async fn begin_writing(&self) -> Result<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx(tx, self.seal.clone()))
    }

    pub async fn close(&self) {
        self.pool.close().await
    }

    /// Answers when the database does; for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Checks the database's own integrity and its foreign keys (SQLite), or that it answers
    /// (PostgreSQL enforces both at every write). Used after crashes and by `/healthz`.
    pub async fn check_integrity(&self) -> Result<Vec<String>> {
        use sqlx::Row;
        let mut problems = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                let rows = sqlx::query("PRAGMA integrity_check")
                    .fetch_all(&self.pool)
                    .await?;
                for row in rows {
                    let line: String = row.try_get(0)?;
                    if line != "ok" {
                        problems.push(line);
                    }
                }
                let violations = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&self.pool)
                    .await?;
                for row in violations {
                    let table: String = row.try_get(0)?;
                    problems.push(format!("clé étrangère rompue dans {table}"));
                }
            }
            Backend::Postgres => {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
            }
        }
        Ok(problems)
    }
}

/// One transaction: every write method of the store lives here, and nothing is visible to
/// others (nor kept after a crash) until [`Tx::commit`].
pub struct Tx(Transaction<'static, Any>, sealing::Sealer);

impl Tx {
    pub async fn commit(self) -> Result<()> {
        Ok(self.0.commit().await?)
    }

    pub async fn rollback(self) -> Result<()> {
        Ok(self.0.rollback().await?)
    }

    fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.0
    }
}

/// Whether the database refused a write because a row still refers to the one it touches.
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_never_print_their_password() {
        assert_eq!(
            redact_url("postgres://sigida:s3cret@localhost/sigida"),
            "postgres://sigida:***@localhost/sigida"
        );
        assert_eq!(redact_url("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
