//! Migrations with one semantics on both databases: numbered SQL files, written once in
//! SQLite's types and translated for PostgreSQL by [`postgres_ddl`], each applied once, in
//! order, inside its own transaction together with its row in `schema_migrations`. A shipped
//! migration is never edited; changes come as new files.

use sqlx::{AnyPool, Row};

use crate::{Backend, Result, StoreError};

pub const MIGRATIONS_APPLIED_TABLE: &str = "schema_migrations";

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

/// The schema's version: its last migration.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "flows",
        sql: include_str!("../migrations/0002_flows.sql"),
    },
    Migration {
        version: 3,
        name: "protection",
        sql: include_str!("../migrations/0003_protection.sql"),
    },
    Migration {
        version: 4,
        name: "indicators",
        sql: include_str!("../migrations/0004_indicators.sql"),
    },
    Migration {
        version: 5,
        name: "qualitative",
        sql: include_str!("../migrations/0005_qualitative.sql"),
    },
    Migration {
        version: 6,
        name: "exercises",
        sql: include_str!("../migrations/0006_exercises.sql"),
    },
    Migration {
        version: 7,
        name: "capacities",
        sql: include_str!("../migrations/0007_capacities.sql"),
    },
    Migration {
        version: 8,
        name: "group_sizes",
        sql: include_str!("../migrations/0008_group_sizes.sql"),
    },
    Migration {
        version: 9,
        name: "min_cell",
        sql: include_str!("../migrations/0009_min_cell.sql"),
    },
    Migration {
        version: 10,
        name: "ballots",
        sql: include_str!("../migrations/0010_ballots.sql"),
    },
    Migration {
        version: 11,
        name: "plan_versions",
        sql: include_str!("../migrations/0011_plan_versions.sql"),
    },
    Migration {
        version: 12,
        name: "repeat_rows",
        sql: include_str!("../migrations/0012_repeat_rows.sql"),
    },
    Migration {
        version: 13,
        name: "registers",
        sql: include_str!("../migrations/0013_registers.sql"),
    },
    Migration {
        version: 14,
        name: "settings",
        sql: include_str!("../migrations/0014_settings.sql"),
    },
    Migration {
        version: 15,
        name: "locality_answers",
        sql: include_str!("../migrations/0015_locality_answers.sql"),
    },
    Migration {
        version: 16,
        name: "evidence",
        sql: include_str!("../migrations/0016_evidence.sql"),
    },
    Migration {
        version: 17,
        name: "risk_sources",
        sql: include_str!("../migrations/0017_risk_sources.sql"),
    },
    Migration {
        version: 18,
        name: "phones",
        sql: include_str!("../migrations/0018_phones.sql"),
    },
    Migration {
        version: 19,
        name: "audit_chain",
        sql: include_str!("../migrations/0019_audit_chain.sql"),
    },
    Migration {
        version: 20,
        name: "vault",
        sql: include_str!("../migrations/0020_vault.sql"),
    },
    Migration {
        version: 21,
        name: "erasures",
        sql: include_str!("../migrations/0021_erasures.sql"),
    },
    Migration {
        version: 22,
        name: "audit_key",
        sql: include_str!("../migrations/0022_audit_key.sql"),
    },
    Migration {
        version: 23,
        name: "respondent_erasure",
        sql: include_str!("../migrations/0023_respondent_erasure.sql"),
    },
    Migration {
        version: 24,
        name: "sync",
        sql: include_str!("../migrations/0024_sync.sql"),
    },
    Migration {
        version: 25,
        name: "replicas",
        sql: include_str!("../migrations/0025_replicas.sql"),
    },
    Migration {
        version: 26,
        name: "meeting_runner",
        sql: include_str!("../migrations/0026_meeting_runner.sql"),
    },
];

/// The PostgreSQL form of DDL written with SQLite's column types. Only whole words change, so
/// names such as `interest` or `integrity` are left alone.
pub(crate) fn postgres_ddl(sqlite: &str) -> String {
    let mut out = String::with_capacity(sqlite.len() + 256);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(match word.as_str() {
            "INTEGER" => "BIGINT",
            "REAL" => "DOUBLE PRECISION",
            "BLOB" => "BYTEA",
            other => other,
        });
        word.clear();
    };
    for ch in sqlite.chars() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

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
            Backend::Sqlite => migration.sql.to_owned(),
            Backend::Postgres => postgres_ddl(migration.sql),
        };
        let fail = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        sqlx::raw_sql(&sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(sigida_core::Timestamp::now().to_rfc3339())
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

#[cfg(test)]
mod tests {
    use super::postgres_ddl;

    #[test]
    fn only_whole_type_words_are_translated() {
        assert_eq!(
            postgres_ddl("interest INTEGER, lat REAL,\n bytes BLOB NOT NULL, integrity TEXT"),
            "interest BIGINT, lat DOUBLE PRECISION,\n bytes BYTEA NOT NULL, integrity TEXT"
        );
    }
}
