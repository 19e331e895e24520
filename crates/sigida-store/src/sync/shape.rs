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

/// The SQL a copy's database speaks for what the two engines write differently: JSON built
/// from a row, the time now, the log's triggers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name() == "SQLite" {
            Dialect::Sqlite
        } else {
            Dialect::Postgres
        }
    }

    /// The time now as the log writes it (`2026-12-07T10:00:00.000Z`).
    pub fn now(self) -> &'static str {
        match self {
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            Dialect::Postgres => {
                "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
            }
        }
    }

    /// `column` (JSON text) with `fields` set to the given SQL values.
    pub fn json_set(self, column: &str, fields: &[(&str, &str)]) -> String {
        match self {
            Dialect::Sqlite => {
                let pairs: String = fields
                    .iter()
                    .map(|(f, v)| format!(", '$.{f}', {v}"))
                    .collect();
                format!("json_set({column}{pairs})")
            }
            Dialect::Postgres => {
                let pairs: Vec<String> =
                    fields.iter().map(|(f, v)| format!("'{f}', {v}")).collect();
                format!(
                    "({column}::jsonb || jsonb_build_object({}))::text",
                    pairs.join(", ")
                )
            }
        }
    }

    /// A field of `column` (JSON text) as text.
    pub fn json_text(self, column: &str, field: &str) -> String {
        match self {
            Dialect::Sqlite => format!("json_extract({column}, '$.{field}')"),
            Dialect::Postgres => format!("({column}::jsonb ->> '{field}')"),
        }
    }
}

/// A value as both engines agree on it: a real as a number, an integer as one, text and
/// hexadecimal as they are.
pub(crate) fn canonical(kind: Kind, value: Option<&serde_json::Value>) -> serde_json::Value {
    use serde_json::Value;
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    let number = |v: &Value| match v {
        Value::String(s) => s.parse::<f64>().ok(),
        other => other.as_f64(),
    };
    match kind {
        Kind::Real => number(v).map_or(v.clone(), Value::from),
        Kind::Int => match v {
            Value::String(s) => s.parse::<i64>().map_or(v.clone(), Value::from),
            other => other.clone(),
        },
        Kind::Text | Kind::Blob => v.clone(),
    }
}

/// A row's key as the log's `pk` holds it: a compact JSON array, as both engines write it.
pub(crate) fn key_text(key: &[serde_json::Value]) -> String {
    serde_json::to_string(key).unwrap_or_default()
}

/// A table that travels: its class and columns.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub table: String,
    pub class: Class,
    pub columns: Vec<Column>,
    /// Its foreign keys: (column, the table it refers to).
    pub refs: Vec<(String, String)>,
    pub dialect: Dialect,
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

    /// A column's value in a row aliased `row`, as the JSON of a change holds it: reals as
    /// exact text, blobs in upper-case hexadecimal, on both engines.
    fn value(&self, row: &str, c: &Column) -> String {
        let name = &c.name;
        match (self.dialect, c.kind) {
            (Dialect::Sqlite, Kind::Real) => {
                format!("CASE WHEN {row}.{name} IS NULL THEN NULL ELSE quote({row}.{name}) END")
            }
            (Dialect::Sqlite, Kind::Blob) => {
                format!("CASE WHEN {row}.{name} IS NULL THEN NULL ELSE hex({row}.{name}) END")
            }
            (Dialect::Postgres, Kind::Real) => format!("({row}.{name})::text"),
            (Dialect::Postgres, Kind::Blob) => format!("upper(encode({row}.{name}, 'hex'))"),
            (_, Kind::Text | Kind::Int) => format!("{row}.{name}"),
        }
    }

    /// The whole row aliased `row` as a JSON object (text).
    pub fn row_json(&self, row: &str) -> String {
        let pairs: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("'{}', {}", c.name, self.value(row, c)))
            .collect();
        match self.dialect {
            Dialect::Sqlite => format!("json_object({})", pairs.join(", ")),
            // A function takes 100 arguments at most: objects of 40 fields, joined.
            Dialect::Postgres => {
                let parts: Vec<String> = pairs
                    .chunks(40)
                    .map(|c| format!("jsonb_build_object({})", c.join(", ")))
                    .collect();
                format!("({})::text", parts.join(" || "))
            }
        }
    }

    /// The primary key of the row aliased `row` as a compact JSON array (the log's `pk`, as
    /// [`key_text`] writes it).
    pub fn key_json(&self, row: &str) -> String {
        let keys: Vec<String> = self.keys().iter().map(|c| self.value(row, c)).collect();
        match self.dialect {
            Dialect::Sqlite => format!("json_array({})", keys.join(", ")),
            Dialect::Postgres => {
                let each: Vec<String> =
                    keys.iter().map(|k| format!("to_json({k})::text")).collect();
                format!("('[' || concat_ws(',', {}) || ']')", each.join(", "))
            }
        }
    }

    /// `$first, $first+1, …`, `count` of them.
    pub fn placeholders(first: usize, count: usize) -> String {
        (first..first + count)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
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

    /// The log entry a trigger writes for a change of the row (`NEW` or `OLD`).
    fn entry(&self, op: &str, row: &str, old: &str, new: &str) -> String {
        format!(
            "INSERT INTO sync_changes (tbl, pk, op, old_row, new_row, changed_at, via, resolves) \
             SELECT '{}', {}, '{op}', {old}, {new}, {}, via, resolves \
             FROM sync_context WHERE id = 1",
            self.table,
            self.key_json(row),
            self.dialect.now()
        )
    }

    /// The rows before and after, as a trigger logs them (merged tables only).
    fn sides(&self) -> (String, String) {
        if self.class == Class::Merge {
            (self.row_json("OLD"), self.row_json("NEW"))
        } else {
            ("NULL".to_owned(), "NULL".to_owned())
        }
    }

    /// The triggers that log every change of the table, by name: on SQLite three triggers;
    /// on PostgreSQL a function (its body, to compare with the one installed) and its trigger.
    pub fn triggers(&self) -> Vec<(String, String)> {
        let t = &self.table;
        let (old, new) = self.sides();
        match self.dialect {
            Dialect::Sqlite => {
                let changed: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| format!("OLD.{0} IS NOT NEW.{0}", c.name))
                    .collect();
                vec![
                    (
                        format!("sync_insert_{t}"),
                        format!(
                            "CREATE TRIGGER sync_insert_{t} AFTER INSERT ON {t} BEGIN {}; END",
                            self.entry("i", "NEW", "NULL", &new)
                        ),
                    ),
                    (
                        format!("sync_update_{t}"),
                        format!(
                            "CREATE TRIGGER sync_update_{t} AFTER UPDATE ON {t} WHEN {} BEGIN {}; END",
                            changed.join(" OR "),
                            self.entry("u", "NEW", &old, &new)
                        ),
                    ),
                    (
                        format!("sync_delete_{t}"),
                        format!(
                            "CREATE TRIGGER sync_delete_{t} AFTER DELETE ON {t} BEGIN {}; END",
                            self.entry("d", "OLD", &old, "NULL")
                        ),
                    ),
                ]
            }
            // The lock makes the log's numbers follow the order transactions commit in: a
            // change numbered after another is never visible before it, so a peer that has
            // read up to a number has read everything below it.
            Dialect::Postgres => vec![(
                format!("sync_log_{t}"),
                format!(
                    "\nBEGIN\n  IF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN RETURN NULL; END IF;\n  \
                     PERFORM pg_advisory_xact_lock({LOG_LOCK});\n  \
                     IF TG_OP = 'INSERT' THEN {};\n  ELSIF TG_OP = 'UPDATE' THEN {};\n  ELSE {};\n  END IF;\n  \
                     RETURN NULL;\nEND\n",
                    self.entry("i", "NEW", "NULL", &new),
                    self.entry("u", "NEW", &old, &new),
                    self.entry("d", "OLD", &old, "NULL"),
                ),
            )],
        }
    }
}

/// The advisory lock that orders the central server's log (PostgreSQL).
const LOG_LOCK: i64 = 7_206_432;

fn kind_of(declared: &str) -> Kind {
    let d = declared.to_ascii_uppercase();
    if d.contains("INT") {
        Kind::Int
    } else if d.contains("REAL") || d.contains("DOUB") || d.contains("FLOA") {
        Kind::Real
    } else if d.contains("BLOB") || d.contains("BYTEA") {
        Kind::Blob
    } else {
        Kind::Text
    }
}

/// The names of the schema's tables.
pub(crate) async fn table_names(conn: &mut sqlx::AnyConnection) -> Result<Vec<String>> {
    let sql = match Dialect::of(conn) {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT CAST(relname AS TEXT) FROM pg_class
             WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace ORDER BY relname"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// Every column of the schema's tables (table, column, declared type, place in the primary
/// key from 1 or 0), and every foreign key (table, column, the table it refers to).
type Catalogue = (
    Vec<(String, String, String, i64)>,
    Vec<(String, String, String)>,
);

async fn catalogue(conn: &mut sqlx::AnyConnection, tables: &[String]) -> Result<Catalogue> {
    let mut columns = Vec::new();
    let mut refs = Vec::new();
    match Dialect::of(conn) {
        Dialect::Sqlite => {
            for table in tables {
                let rows = sqlx::query(&format!(
                    "SELECT name, type, pk FROM pragma_table_info('{table}')"
                ))
                .fetch_all(&mut *conn)
                .await?;
                for r in &rows {
                    columns.push((table.clone(), r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
                }
                let rows = sqlx::query(&format!(
                    "SELECT \"from\", \"table\" FROM pragma_foreign_key_list('{table}')"
                ))
                .fetch_all(&mut *conn)
                .await?;
                for r in &rows {
                    refs.push((table.clone(), r.try_get(0)?, r.try_get(1)?));
                }
            }
        }
        Dialect::Postgres => {
            let rows = sqlx::query(
                "SELECT CAST(c.relname AS TEXT), CAST(a.attname AS TEXT),
                        format_type(a.atttypid, a.atttypmod),
                        CAST(COALESCE(array_position(CAST(i.indkey AS int2[]), a.attnum)
                          - array_lower(CAST(i.indkey AS int2[]), 1) + 1, 0) AS BIGINT)
                 FROM pg_class c
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                 LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
                 WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
                 ORDER BY c.relname, a.attnum",
            )
            .fetch_all(&mut *conn)
            .await?;
            for r in &rows {
                columns.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?));
            }
            let rows = sqlx::query(
                "SELECT CAST(c.relname AS TEXT), CAST(a.attname AS TEXT), CAST(f.relname AS TEXT)
                 FROM pg_constraint k
                 JOIN pg_class c ON c.oid = k.conrelid
                 JOIN pg_class f ON f.oid = k.confrelid
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
                 WHERE k.contype = 'f' AND c.relnamespace = current_schema()::regnamespace",
            )
            .fetch_all(&mut *conn)
            .await?;
            for r in &rows {
                refs.push((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?));
            }
        }
    }
    Ok((columns, refs))
}

/// Every table that travels (class union or merge), with its columns.
pub(crate) async fn shapes(conn: &mut sqlx::AnyConnection) -> Result<Vec<Shape>> {
    let dialect = Dialect::of(conn);
    let tables: Vec<String> = table_names(conn)
        .await?
        .into_iter()
        .filter(|t| class_of(t).is_some_and(|c| c != Class::Local))
        .collect();
    let (columns, refs) = catalogue(conn, &tables).await?;
    let mut out = Vec::new();
    for table in tables {
        let Some(class) = class_of(&table) else {
            continue;
        };
        let columns: Vec<Column> = columns
            .iter()
            .filter(|(t, ..)| *t == table)
            .map(|(_, name, declared, key)| Column {
                name: name.clone(),
                kind: kind_of(declared),
                key: usize::try_from(*key).unwrap_or(0),
            })
            .collect();
        if !columns.iter().any(|c| c.key > 0) {
            return Err(StoreError::Corrupt {
                table: "sync",
                column: "pk",
                detail: format!("la table {table} n'a pas de clé primaire"),
            });
        }
        let refs = refs
            .iter()
            .filter(|(t, ..)| *t == table)
            .map(|(_, column, to)| (column.clone(), to.clone()))
            .collect();
        out.push(Shape {
            table,
            class,
            columns,
            refs,
            dialect,
        });
    }
    Ok(out)
}

/// Writes (or rewrites, when the table changed) the triggers of every table that travels, and
/// on the first time logs every row already there, so that a new copy can be made from the
/// log alone. Also gives the copy its identity (the audit chain's replica id). On PostgreSQL
/// it also numbers the log itself (an identity column) and lets foreign keys wait for the
/// commit while a batch is applied (deferrable). Reads first and writes only when something is
/// to do (in one transaction that holds the writers' lock), so that opening a diagnostic a
/// server is writing to (a backup, a status) waits for nothing.
pub(crate) async fn install(conn: &mut sqlx::AnyConnection) -> Result<()> {
    let dialect = Dialect::of(conn);
    let shapes = shapes(conn).await?;
    // The triggers as installed, by name, read at once.
    let installed: std::collections::HashMap<String, String> = sqlx::query(match dialect {
        Dialect::Sqlite => "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'",
        Dialect::Postgres => {
            "SELECT CAST(t.tgname AS TEXT), CAST(p.prosrc AS TEXT) FROM pg_trigger t
             JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE p.pronamespace = current_schema()::regnamespace"
        }
    })
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
    .collect::<Result<_>>()?;
    let mut stale = Vec::new();
    for shape in &shapes {
        for (name, sql) in shape.triggers() {
            if installed.get(&name) != Some(&sql) {
                stale.push((shape.table.clone(), name, sql));
            }
        }
    }
    let baseline: i64 = sqlx::query("SELECT baseline FROM sync_context WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    let replica = super::replica_id(&mut *conn).await?;
    let unprepared = match dialect {
        Dialect::Sqlite => false,
        Dialect::Postgres => !PostgresGaps::read(conn).await?.is_empty(),
    };
    if stale.is_empty() && baseline != 0 && !replica.is_empty() && !unprepared {
        return Ok(());
    }
    match dialect {
        Dialect::Sqlite => sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?,
        Dialect::Postgres => {
            sqlx::query("BEGIN").execute(&mut *conn).await?;
            // Two servers opening the diagnostic at once install it one after the other.
            sqlx::query("SELECT pg_advisory_xact_lock(7206431)")
                .execute(&mut *conn)
                .await?
        }
    };
    let done = write(conn, &shapes, &stale).await;
    let end = if done.is_ok() { "COMMIT" } else { "ROLLBACK" };
    sqlx::query(end).execute(&mut *conn).await?;
    done
}

/// What a PostgreSQL database still lacks for the log: the log numbering itself (an identity
/// column), and the foreign keys that cannot yet wait for the commit (table, constraint).
struct PostgresGaps {
    numbering: bool,
    keys: Vec<(String, String)>,
}

impl PostgresGaps {
    async fn read(conn: &mut sqlx::AnyConnection) -> Result<Self> {
        let numbering: i64 = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_attribute WHERE attrelid = 'sync_changes'::regclass
             AND attname = 'seq' AND attidentity = ''",
        )
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
        let keys = sqlx::query(
            "SELECT CAST(c.relname AS TEXT), CAST(k.conname AS TEXT) FROM pg_constraint k
             JOIN pg_class c ON c.oid = k.conrelid
             WHERE k.contype = 'f' AND NOT k.condeferrable
               AND k.connamespace = current_schema()::regnamespace",
        )
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|k| Ok((k.try_get(0)?, k.try_get(1)?)))
        .collect::<Result<_>>()?;
        Ok(PostgresGaps {
            numbering: numbering > 0,
            keys,
        })
    }

    fn is_empty(&self) -> bool {
        !self.numbering && self.keys.is_empty()
    }

    async fn fill(&self, conn: &mut sqlx::AnyConnection) -> Result<()> {
        if self.numbering {
            sqlx::query(
                "ALTER TABLE sync_changes ALTER COLUMN seq ADD GENERATED BY DEFAULT AS IDENTITY",
            )
            .execute(&mut *conn)
            .await?;
        }
        for (table, name) in &self.keys {
            sqlx::query(&format!(
                "ALTER TABLE {table} ALTER CONSTRAINT \"{name}\" DEFERRABLE INITIALLY IMMEDIATE"
            ))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }
}

async fn write(
    conn: &mut sqlx::AnyConnection,
    shapes: &[Shape],
    stale: &[(String, String, String)],
) -> Result<()> {
    let dialect = Dialect::of(conn);
    if dialect == Dialect::Postgres {
        // Read again under the lock: another server may have filled them meanwhile.
        PostgresGaps::read(conn).await?.fill(conn).await?;
        sqlx::query(&format!("SELECT pg_advisory_xact_lock({LOG_LOCK})"))
            .execute(&mut *conn)
            .await?;
    }
    for (table, name, sql) in stale {
        match dialect {
            Dialect::Sqlite => {
                sqlx::query(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(sql).execute(&mut *conn).await?;
            }
            Dialect::Postgres => {
                sqlx::raw_sql(&format!(
                    "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $sync${sql}$sync$"
                ))
                .execute(&mut *conn)
                .await?;
                sqlx::query(&format!(
                    "CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table}
                     FOR EACH ROW EXECUTE FUNCTION {name}()"
                ))
                .execute(&mut *conn)
                .await?;
            }
        }
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
                 SELECT '{}', {}, 'i', NULL, {new}, {}, NULL, 0
                 FROM {} r",
                shape.table,
                shape.key_json("r"),
                dialect.now(),
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
