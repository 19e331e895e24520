//! The tables as SQLite holds them (their columns, types and keys), the change log's triggers
//! written from them, and the JSON a row travels as: text and integers as they are, reals as
//! SQLite's exact `quote()` (JSON's own rendering rounds to 15 digits), blobs in hexadecimal.

use sqlx::Row;

use super::classes::{Class, class_of};
use crate::{Result, StoreError};

/// How a column's values travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Real,
    Blob,
}

#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub name: String,
    pub kind: Kind,
    /// Its place in the primary key (from 1), 0 when not part of it.
    pub key: usize,
}

/// A table that travels: its class and columns.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub table: String,
    pub class: Class,
    pub columns: Vec<Column>,
    /// Its foreign keys: (column, the table it refers to).
    pub refs: Vec<(String, String)>,
}

impl Shape {
    /// The primary key's columns, in the key's order.
    pub fn keys(&self) -> Vec<&Column> {
        let mut keys: Vec<&Column> = self.columns.iter().filter(|c| c.key > 0).collect();
        keys.sort_by_key(|c| c.key);
        keys
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A column's value in a row aliased `row`, as the JSON of a change holds it.
    fn value(row: &str, c: &Column) -> String {
        match c.kind {
            Kind::Real => format!(
                "CASE WHEN {row}.{0} IS NULL THEN NULL ELSE quote({row}.{0}) END",
                c.name
            ),
            Kind::Blob => format!(
                "CASE WHEN {row}.{0} IS NULL THEN NULL ELSE hex({row}.{0}) END",
                c.name
            ),
            Kind::Text | Kind::Int => format!("{row}.{}", c.name),
        }
    }

    /// The whole row aliased `row` as a JSON object.
    pub fn row_json(&self, row: &str) -> String {
        let pairs: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("'{}', {}", c.name, Self::value(row, c)))
            .collect();
        format!("json_object({})", pairs.join(", "))
    }

    /// The primary key of the row aliased `row` as a JSON array (the log's `pk`).
    pub fn key_json(&self, row: &str) -> String {
        let keys: Vec<String> = self.keys().iter().map(|c| Self::value(row, c)).collect();
        format!("json_array({})", keys.join(", "))
    }

    /// `$first, $first+1, …`, `count` of them.
    pub fn placeholders(first: usize, count: usize) -> String {
        (first..first + count)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The placeholders of the key's values, bound from `$first`.
    pub fn key_placeholders(&self, first: usize) -> String {
        Self::placeholders(first, self.keys().len())
    }

    /// `k1 = $n AND k2 = $n+1…`, the row named by its key's values bound from `$first`.
    pub fn key_condition(&self, first: usize) -> String {
        self.keys()
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = ${}", c.name, first + i))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The three triggers that log every change of the table.
    pub fn triggers(&self) -> [(String, String); 3] {
        let t = &self.table;
        let merged = self.class == Class::Merge;
        let entry = |op: &str, row: &str, old: &str, new: &str| {
            format!(
                "INSERT INTO sync_changes (tbl, pk, op, old_row, new_row, changed_at, via, resolves) \
                 SELECT '{t}', {}, '{op}', {old}, {new}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), via, resolves \
                 FROM sync_context WHERE id = 1",
                self.key_json(row)
            )
        };
        let (old, new) = if merged {
            (self.row_json("OLD"), self.row_json("NEW"))
        } else {
            ("NULL".to_owned(), "NULL".to_owned())
        };
        let changed: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("OLD.{0} IS NOT NEW.{0}", c.name))
            .collect();
        [
            (
                format!("sync_insert_{t}"),
                format!(
                    "CREATE TRIGGER sync_insert_{t} AFTER INSERT ON {t} BEGIN {}; END",
                    entry("i", "NEW", "NULL", &new)
                ),
            ),
            (
                format!("sync_update_{t}"),
                format!(
                    "CREATE TRIGGER sync_update_{t} AFTER UPDATE ON {t} WHEN {} BEGIN {}; END",
                    changed.join(" OR "),
                    entry("u", "NEW", &old, &new)
                ),
            ),
            (
                format!("sync_delete_{t}"),
                format!(
                    "CREATE TRIGGER sync_delete_{t} AFTER DELETE ON {t} BEGIN {}; END",
                    entry("d", "OLD", &old, "NULL")
                ),
            ),
        ]
    }
}

fn kind_of(declared: &str) -> Kind {
    let d = declared.to_ascii_uppercase();
    if d.contains("INT") {
        Kind::Int
    } else if d.contains("REAL") || d.contains("DOUB") || d.contains("FLOA") {
        Kind::Real
    } else if d.contains("BLOB") {
        Kind::Blob
    } else {
        Kind::Text
    }
}

/// The names of the schema's tables.
pub(crate) async fn table_names(conn: &mut sqlx::AnyConnection) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// Every table that travels (class union or merge), with its columns.
pub(crate) async fn shapes(conn: &mut sqlx::AnyConnection) -> Result<Vec<Shape>> {
    let mut out = Vec::new();
    for table in table_names(conn).await? {
        let Some(class) = class_of(&table) else {
            continue;
        };
        if class == Class::Local {
            continue;
        }
        let columns = sqlx::query(&format!(
            "SELECT name, type, pk FROM pragma_table_info('{table}')"
        ))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Column {
                name: r.try_get(0)?,
                kind: kind_of(&r.try_get::<String, _>(1)?),
                key: usize::try_from(r.try_get::<i64, _>(2)?).unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        if !columns.iter().any(|c| c.key > 0) {
            return Err(StoreError::Corrupt {
                table: "sync",
                column: "pk",
                detail: format!("la table {table} n'a pas de clé primaire"),
            });
        }
        let refs = sqlx::query(&format!(
            "SELECT \"from\", \"table\" FROM pragma_foreign_key_list('{table}')"
        ))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<(String, String)>>>()?;
        out.push(Shape {
            table,
            class,
            columns,
            refs,
        });
    }
    Ok(out)
}

/// Writes (or rewrites, when the table changed) the triggers of every table that travels, and
/// on the first time logs every row already there, so that a new copy can be made from the
/// log alone. Also gives the copy its identity (the audit chain's replica id). SQLite only:
/// the central server's log comes with PostgreSQL replicas. Reads first and writes only when
/// something is to do (in one immediate transaction), so that opening a diagnostic a server is
/// writing to (a backup, a status) waits for nothing.
pub(crate) async fn install(conn: &mut sqlx::AnyConnection) -> Result<()> {
    let shapes = shapes(conn).await?;
    let mut stale = Vec::new();
    for shape in &shapes {
        for (name, sql) in shape.triggers() {
            let existing: Option<String> =
                sqlx::query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = $1")
                    .bind(&name)
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
            if existing.as_deref() != Some(sql.as_str()) {
                stale.push((name, sql));
            }
        }
    }
    let baseline: i64 = sqlx::query("SELECT baseline FROM sync_context WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let nameless: String = sqlx::query("SELECT replica FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if stale.is_empty() && baseline != 0 && !nameless.is_empty() {
        return Ok(());
    }
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    let done = write(conn, &shapes, &stale).await;
    let end = if done.is_ok() { "COMMIT" } else { "ROLLBACK" };
    sqlx::query(end).execute(&mut *conn).await?;
    done
}

async fn write(
    conn: &mut sqlx::AnyConnection,
    shapes: &[Shape],
    stale: &[(String, String)],
) -> Result<()> {
    for (name, sql) in stale {
        sqlx::query(&format!("DROP TRIGGER IF EXISTS {name}"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    let baseline: i64 = sqlx::query("SELECT baseline FROM sync_context WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if baseline == 0 {
        for shape in shapes {
            let new = if shape.class == Class::Merge {
                shape.row_json("r")
            } else {
                "NULL".into()
            };
            sqlx::query(&format!(
                "INSERT INTO sync_changes (tbl, pk, op, old_row, new_row, changed_at, via, resolves)
                 SELECT '{}', {}, 'i', NULL, {new}, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 0
                 FROM {} r",
                shape.table,
                shape.key_json("r"),
                shape.table
            ))
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("UPDATE sync_context SET baseline = 1 WHERE id = 1")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE audit_head SET replica = $1 WHERE id = 1 AND replica = ''")
        .bind(uuid::Uuid::new_v4().to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
