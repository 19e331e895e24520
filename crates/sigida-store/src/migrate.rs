//! Migrations with one semantics on both databases: numbered SQL files per backend, each
//! applied once, in order, inside its own transaction together with its row in
//! `schema_migrations`. A shipped migration is never edited; changes come as new files.

use sqlx::{AnyPool, Row};

use crate::{Backend, Result, StoreError};

pub const MIGRATIONS_APPLIED_TABLE: &str = "schema_migrations";

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "foundation",
    sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
    postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
}];

pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .execute(pool)
    .await?;
    let newest_known = MIGRATIONS.last().map_or(0, |m| m.version);
    for migration in MIGRATIONS {
        let mut tx = pool.begin().await?;
        if backend == Backend::Postgres {
            // Two servers starting at once must not both apply a migration.
            sqlx::query("SELECT pg_advisory_xact_lock(7206431)")
                .execute(&mut *tx)
                .await?;
        }
        let applied = sqlx::query("SELECT COUNT(*) FROM schema_migrations WHERE version = $1")
            .bind(migration.version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>(0)?;
        if applied > 0 {
            tx.rollback().await?;
            continue;
        }
        let sql = match backend {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        };
        let fail = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(sigida_core::Timestamp::from_datetime(time::OffsetDateTime::now_utc()).to_rfc3339())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await?;
    }
    let newest_applied: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    match newest_applied {
        Some(v) if v > newest_known => Err(StoreError::NewerSchema(v)),
        _ => Ok(()),
    }
}
