//! Another copy's changes applied here, each by its table's class.

use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::any::{Any, AnyArguments};
use sqlx::query::Query;

use super::classes::Class;
use super::shape::{Dialect, Kind, Shape, key_text, shapes};
use super::{Batch, Change};
use crate::sealing::unhex;
use crate::{Result, StoreError, Tx};

/// What applying a batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Changes applied (a change already here counts too: it changes nothing).
    pub applied: usize,
    /// Changes this copy had already received from that peer.
    pub skipped: usize,
    /// Rows a deletion here keeps deleted.
    pub tombstoned: usize,
    /// New conflicts kept for a person.
    pub conflicts: usize,
    /// Of the changes applied, those that are other copies' audit entries (an exchange that
    /// brings only them is not audited again, so two copies do not echo each other's entries).
    pub audit: usize,
    /// Rows this copy already holds under another id (the same file imported on both copies,
    /// the same form version), with the rows that refer to them: not added twice.
    pub duplicates: usize,
}

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

fn refused(code: &'static str) -> StoreError {
    StoreError::Refused(sigida_core::refusal::Refusal::new(code))
}

/// A value as its column holds it, bound to a statement.
fn bind<'q>(query: AnyQuery<'q>, kind: Kind, value: Option<&Value>) -> Result<AnyQuery<'q>> {
    let bad = |v: &Value| StoreError::Corrupt {
        table: "sync",
        column: "value",
        detail: format!("{kind:?} attendu, {v} reçu"),
    };
    let value = match value {
        None | Some(Value::Null) => {
            return Ok(match kind {
                Kind::Int => query.bind(None::<i64>),
                Kind::Real => query.bind(None::<f64>),
                Kind::Blob => query.bind(None::<Vec<u8>>),
                Kind::Text => query.bind(None::<String>),
            });
        }
        Some(v) => v,
    };
    Ok(match kind {
        Kind::Text => match value {
            Value::String(s) => query.bind(s.clone()),
            other => query.bind(other.to_string()),
        },
        Kind::Int => query.bind(integer(value).ok_or_else(|| bad(value))?),
        Kind::Real => query.bind(real(value).ok_or_else(|| bad(value))?),
        Kind::Blob => {
            let hex = value.as_str().ok_or_else(|| bad(value))?;
            query.bind(unhex(hex).ok_or_else(|| bad(value))?)
        }
    })
}

fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

fn real(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Whether two values of a column are the same value.
fn same(kind: Kind, a: Option<&Value>, b: Option<&Value>) -> bool {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match kind {
            Kind::Real => match (real(a), real(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            },
            Kind::Int => match (integer(a), integer(b)) {
                (Some(x), Some(y)) => x == y,
                _ => a == b,
            },
            Kind::Text | Kind::Blob => a == b,
        },
        _ => false,
    }
}

/// The column a UNIQUE index refused, its last: from SQLite's message
/// (`UNIQUE constraint failed: communities.diagnostic_id, communities.slug`), or from the
/// index PostgreSQL names.
async fn clashing_field(conn: &mut sqlx::AnyConnection, clash: &Clash) -> Result<Option<String>> {
    if let Some(index) = &clash.index {
        return Ok(sqlx::query(
            "SELECT CAST(a.attname AS TEXT) FROM pg_class x
             JOIN pg_index i ON i.indexrelid = x.oid
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE x.relname = $1
             ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum) DESC LIMIT 1",
        )
        .bind(index)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?);
    }
    let last = || {
        let columns = clash.message.split("failed:").nth(1)?;
        let last = columns.split(',').next_back()?.trim();
        Some(last.rsplit('.').next()?.to_owned())
    };
    Ok(last())
}

/// Binds a row's key values, in the key's order.
fn bind_key<'q>(mut query: AnyQuery<'q>, shape: &Shape, key: &[Value]) -> Result<AnyQuery<'q>> {
    let keys = shape.keys();
    if keys.len() != key.len() {
        return Err(StoreError::Corrupt {
            table: "sync",
            column: "pk",
            detail: format!("{} : clé de {} valeurs attendue", shape.table, keys.len()),
        });
    }
    for (c, v) in keys.iter().zip(key) {
        query = bind(query, c.kind, Some(v))?;
    }
    Ok(query)
}

/// A row as it is here, as a change carries it.
pub(crate) async fn current_row(
    conn: &mut sqlx::AnyConnection,
    shape: &Shape,
    key: &[Value],
) -> Result<Option<Map<String, Value>>> {
    let sql = format!(
        "SELECT {} FROM {} r WHERE {}",
        shape.row_json("r"),
        shape.table,
        shape.key_condition(1)
    );
    let row = bind_key(sqlx::query(&sql), shape, key)?
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let text: String = r.try_get(0)?;
            match serde_json::from_str(&text) {
                Ok(Value::Object(map)) => Ok(Some(map)),
                _ => Err(StoreError::Corrupt {
                    table: "sync",
                    column: "row",
                    detail: shape.table.clone(),
                }),
            }
        }
    }
}

/// A UNIQUE index's refusal: its message and, on PostgreSQL, the index's name.
struct Clash {
    message: String,
    index: Option<String>,
}

fn unique_violation(e: &StoreError) -> Option<Clash> {
    match e {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            Some(Clash {
                message: db.message().to_owned(),
                index: db.constraint().map(str::to_owned),
            })
        }
        _ => None,
    }
}

/// Runs one statement that may be refused so that the transaction goes on after a refusal:
/// PostgreSQL aborts a transaction at its first error unless a savepoint contains it.
async fn contained<F, T>(conn: &mut sqlx::AnyConnection, statement: F) -> Result<T>
where
    F: AsyncFnOnce(&mut sqlx::AnyConnection) -> Result<T>,
{
    if Dialect::of(conn) == Dialect::Sqlite {
        return statement(conn).await;
    }
    sqlx::query("SAVEPOINT sync_row")
        .execute(&mut *conn)
        .await?;
    let done = statement(&mut *conn).await;
    let end = if done.is_ok() {
        "RELEASE SAVEPOINT sync_row"
    } else {
        "ROLLBACK TO SAVEPOINT sync_row"
    };
    sqlx::query(end).execute(&mut *conn).await?;
    done
}

/// A whole row inserted.
pub(crate) async fn insert_row(
    conn: &mut sqlx::AnyConnection,
    shape: &Shape,
    row: &Map<String, Value>,
) -> Result<()> {
    let names: Vec<&str> = shape.columns.iter().map(|c| c.name.as_str()).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        shape.table,
        names.join(", "),
        Shape::placeholders(1, names.len())
    );
    let mut query = sqlx::query(&sql);
    for c in &shape.columns {
        query = bind(query, c.kind, row.get(&c.name))?;
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// `fields` of the row named by `key` set to their values in `row`.
pub(crate) async fn update_row(
    conn: &mut sqlx::AnyConnection,
    shape: &Shape,
    key: &[Value],
    fields: &[&str],
    row: &Map<String, Value>,
) -> Result<()> {
    if fields.is_empty() {
        return Ok(());
    }
    let sets: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{f} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {}",
        shape.table,
        sets.join(", "),
        shape.key_condition(fields.len() + 1)
    );
    let mut query = sqlx::query(&sql);
    for f in fields {
        let kind = shape.column(f).map_or(Kind::Text, |c| c.kind);
        query = bind(query, kind, row.get(*f))?;
    }
    bind_key(query, shape, key)?.execute(&mut *conn).await?;
    Ok(())
}

/// The row named by `key` deleted.
pub(crate) async fn delete_row(
    conn: &mut sqlx::AnyConnection,
    shape: &Shape,
    key: &[Value],
) -> Result<()> {
    let sql = format!(
        "DELETE FROM {} WHERE {}",
        shape.table,
        shape.key_condition(1)
    );
    bind_key(sqlx::query(&sql), shape, key)?
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A change logged by hand, where no trigger would log it as it must travel: a deletion this
/// copy never saw the row of (a tombstone), a settlement that must win elsewhere.
pub(crate) struct Entry<'a> {
    pub op: &'a str,
    pub old: Option<&'a Map<String, Value>>,
    pub new: Option<&'a Map<String, Value>>,
    pub via: Option<&'a str>,
    pub resolves: bool,
}

pub(crate) async fn log_entry(
    conn: &mut sqlx::AnyConnection,
    shape: &Shape,
    key: &[Value],
    entry: Entry<'_>,
) -> Result<()> {
    let text = |m: Option<&Map<String, Value>>| m.map(|m| Value::Object(m.clone()).to_string());
    let sql = format!(
        "INSERT INTO sync_changes (tbl, pk, op, old_row, new_row, changed_at, via, resolves)
         VALUES ($1, $2, $3, $4, $5, {}, $6, $7)",
        shape.dialect.now()
    );
    sqlx::query(&sql)
        .bind(shape.table.clone())
        .bind(key_text(key))
        .bind(entry.op.to_owned())
        .bind(text(entry.old))
        .bind(text(entry.new))
        .bind(entry.via.map(str::to_owned))
        .bind(i64::from(entry.resolves))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Tx {
    /// Applies another copy's batch in this transaction: what this copy already received from
    /// it is skipped, the rest applied by class, and the peer's place recorded with the
    /// batch, so the same batch applied twice changes nothing and a batch cut short is sent
    /// again whole. Foreign keys are checked at commit (a row and the rows it refers to may
    /// come in any order).
    pub async fn apply(&mut self, batch: &Batch, at: &str) -> Result<Applied> {
        if batch.schema != crate::migrate::latest_version() {
            return Err(StoreError::Refused(
                sigida_core::refusal::Refusal::new("sync.schema")
                    .arg("theirs", batch.schema.to_string())
                    .arg("ours", crate::migrate::latest_version().to_string()),
            ));
        }
        let conn = self.conn();
        let own = super::replica_id(&mut *conn).await?;
        if batch.from == own {
            return Err(refused("sync.own_changes"));
        }
        let peer =
            sqlx::query("SELECT sent_upto, received_upto FROM sync_peers WHERE replica = $1")
                .bind(&batch.from)
                .fetch_optional(&mut *conn)
                .await?;
        let (sent, received) = match &peer {
            Some(r) => (r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?),
            None => (0, 0),
        };
        if batch.after > received {
            return Err(StoreError::Refused(
                sigida_core::refusal::Refusal::new("sync.gap")
                    .arg("name", batch.name.as_str())
                    .arg("after", batch.after.to_string())
                    .arg("received", received.to_string()),
            ));
        }
        let defer = match Dialect::of(conn) {
            Dialect::Sqlite => "PRAGMA defer_foreign_keys = ON",
            Dialect::Postgres => "SET CONSTRAINTS ALL DEFERRED",
        };
        sqlx::query(defer).execute(&mut *conn).await?;
        sqlx::query("UPDATE sync_context SET via = $1, resolves = 0 WHERE id = 1")
            .bind(&batch.from)
            .execute(&mut *conn)
            .await?;
        let shapes = shapes(conn).await?;
        let mut done = Applied::default();
        let mut duplicates: std::collections::HashSet<(String, String)> = Default::default();
        for change in &batch.changes {
            if change.seq <= received {
                done.skipped += 1;
                continue;
            }
            let shape = shapes
                .iter()
                .find(|s| s.table == change.table)
                .ok_or_else(|| {
                    StoreError::Refused(
                        sigida_core::refusal::Refusal::new("sync.table")
                            .arg("table", change.table.as_str()),
                    )
                })?;
            if change.resolves {
                sqlx::query("UPDATE sync_context SET resolves = 1 WHERE id = 1")
                    .execute(&mut *conn)
                    .await?;
            }
            // A cleaning-log entry is the same entry on every copy by what it is about, not by
            // its number (two copies both number their next entry alike).
            let renumbered = match shape.table.as_str() {
                "cleaning_log" => cleaning_entry_here(&mut *conn, change).await?,
                _ => None,
            };
            let change = renumbered.as_ref().unwrap_or(change);
            let mut one = One {
                conn: &mut *conn,
                shape,
                change,
                from: &batch.from,
                at,
                done: &mut done,
                duplicates: &mut duplicates,
            };
            match shape.class {
                Class::Union => one.union().await?,
                Class::Merge => one.merge().await?,
                Class::Local => {}
            }
            if change.resolves {
                sqlx::query("UPDATE sync_context SET resolves = 0 WHERE id = 1")
                    .execute(&mut *conn)
                    .await?;
            }
            done.applied += 1;
            if change.table == "audit_log" {
                done.audit += 1;
            }
        }
        sqlx::query(
            "INSERT INTO sync_peers (replica, name, sent_upto, received_upto, last_sync_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (replica) DO UPDATE SET name = $2, sent_upto = $3, received_upto = $4, last_sync_at = $5",
        )
        .bind(&batch.from)
        .bind(&batch.name)
        .bind(sent.max(batch.ack))
        .bind(received.max(batch.upto))
        .bind(at)
        .execute(&mut *conn)
        .await?;
        // An erasure is never undone by a union or a merge.
        self.reapply_erasures().await?;
        sqlx::query("UPDATE sync_context SET via = NULL, resolves = 0 WHERE id = 1")
            .execute(self.conn())
            .await?;
        Ok(done)
    }
}

/// A cleaning-log entry from another copy, under this copy's number for it: the entry about
/// the same submission, repeat row, column and issue here (their decisions then merge field by
/// field), or, for an entry new here whose number another entry already has, the next free
/// number. `None` when the number is already this copy's.
async fn cleaning_entry_here(
    conn: &mut sqlx::AnyConnection,
    change: &Change,
) -> Result<Option<Change>> {
    let Some(row) = change.new.as_ref().or(change.old.as_ref()) else {
        return Ok(None);
    };
    let text = |f: &str| {
        row.get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let Some(seq) = row.get("seq").and_then(integer) else {
        return Ok(None);
    };
    let instrument = text("instrument_id");
    let same: Option<i64> = sqlx::query(
        "SELECT seq FROM cleaning_log WHERE instrument_id = $1 AND uuid = $2 AND loop_index = $3
           AND question = $4 AND issue = $5
         ORDER BY CASE WHEN seq = $6 THEN 0 ELSE 1 END, seq LIMIT 1",
    )
    .bind(&instrument)
    .bind(text("uuid"))
    .bind(text("loop_index"))
    .bind(text("question"))
    .bind(text("issue"))
    .bind(seq)
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    let here = match same {
        Some(s) => s,
        None => {
            let taken: i64 = sqlx::query(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM cleaning_log WHERE instrument_id = $1 AND seq = $2",
            )
            .bind(&instrument)
            .bind(seq)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            if taken == 0 {
                seq
            } else {
                sqlx::query(
                    "SELECT CAST(COALESCE(MAX(seq), -1) + 1 AS BIGINT) FROM cleaning_log WHERE instrument_id = $1",
                )
                .bind(&instrument)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?
            }
        }
    };
    if here == seq {
        return Ok(None);
    }
    let mut local = change.clone();
    local.key = vec![Value::String(instrument), Value::from(here)];
    for row in [local.new.as_mut(), local.old.as_mut()]
        .into_iter()
        .flatten()
    {
        row.insert("seq".into(), Value::from(here));
    }
    Ok(Some(local))
}

/// One change being applied.
struct One<'a> {
    conn: &'a mut sqlx::AnyConnection,
    shape: &'a Shape,
    change: &'a Change,
    from: &'a str,
    at: &'a str,
    done: &'a mut Applied,
    /// Rows skipped as duplicates here, by table and id, so that rows referring to them are.
    duplicates: &'a mut std::collections::HashSet<(String, String)>,
}

impl One<'_> {
    fn value<'m>(row: Option<&'m Map<String, Value>>, column: &str) -> Option<&'m Value> {
        row.and_then(|r| r.get(column))
    }

    async fn here(&mut self) -> Result<Option<Map<String, Value>>> {
        current_row(self.conn, self.shape, &self.change.key).await
    }

    /// Whether this copy's last word on the row is its deletion.
    async fn tombstoned(&mut self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT op FROM sync_changes WHERE tbl = $1 AND pk = $2 ORDER BY seq DESC LIMIT 1",
        )
        .bind(self.shape.table.clone())
        .bind(key_text(&self.change.key))
        .fetch_optional(&mut *self.conn)
        .await?;
        Ok(match row {
            Some(r) => r.try_get::<String, _>(0)? == "d",
            None => false,
        })
    }

    /// Notes a deletion this copy never saw the row of, so that a later copy of it stays out.
    async fn tombstone(&mut self) -> Result<()> {
        log_entry(
            self.conn,
            self.shape,
            &self.change.key,
            Entry {
                op: "d",
                old: None,
                new: None,
                via: Some(self.from),
                resolves: false,
            },
        )
        .await
    }

    /// Inserts the row; a row that takes a name or number another row here already has (a
    /// slug, a plan's version, an indicator's code…) is kept as a conflict instead, with the
    /// whole row, for a person to rename.
    async fn insert(&mut self, row: &Map<String, Value>) -> Result<()> {
        let refers_to_duplicate = self.shape.refs.iter().any(|(column, table)| {
            row.get(column)
                .and_then(Value::as_str)
                .is_some_and(|id| self.duplicates.contains(&(table.clone(), id.to_owned())))
        });
        if refers_to_duplicate {
            self.skip_as_duplicate(row);
            return Ok(());
        }
        let shape = self.shape;
        match contained(self.conn, async |c| insert_row(c, shape, row).await).await {
            Err(e) => match unique_violation(&e) {
                // The same thing under another id (the same file imported on both copies):
                // ours stands for it.
                Some(_) if self.shape.class == Class::Union => {
                    self.skip_as_duplicate(row);
                    Ok(())
                }
                Some(clash) => self.name_taken(&clash, row).await,
                None => Err(e),
            },
            ok => ok,
        }
    }

    /// A row that takes a name another row here has: kept whole as a conflict, with the field
    /// that clashed, for a person to rename.
    async fn name_taken(&mut self, clash: &Clash, row: &Map<String, Value>) -> Result<()> {
        let field = clashing_field(self.conn, clash).await?.unwrap_or_default();
        self.conflict(
            "unique",
            Some(&Value::String(field)),
            None,
            Some(Value::Object(row.clone())),
        )
        .await
    }

    fn skip_as_duplicate(&mut self, row: &Map<String, Value>) {
        if let [key] = self.shape.keys().as_slice()
            && let Some(id) = row.get(&key.name).and_then(Value::as_str)
        {
            self.duplicates
                .insert((self.shape.table.clone(), id.to_owned()));
        }
        self.done.duplicates += 1;
    }

    async fn update(&mut self, fields: &[&str], row: &Map<String, Value>) -> Result<()> {
        let (shape, key) = (self.shape, &self.change.key);
        match contained(self.conn, async |c| {
            update_row(c, shape, key, fields, row).await
        })
        .await
        {
            Err(e) => match unique_violation(&e) {
                Some(clash) => self.name_taken(&clash, row).await,
                None => Err(e),
            },
            ok => ok,
        }
    }

    async fn delete(&mut self) -> Result<()> {
        delete_row(self.conn, self.shape, &self.change.key).await
    }

    /// Keeps both values of a field (or of a whole row, `*`) for a person to choose.
    async fn conflict(
        &mut self,
        field: &str,
        base: Option<&Value>,
        local: Option<Value>,
        remote: Option<Value>,
    ) -> Result<()> {
        let key = serde_json::to_string(&self.change.key).unwrap_or_default();
        let text = |v: Option<&Value>| v.map(Value::to_string);
        let remote_text = text(remote.as_ref());
        let already: i64 = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM sync_conflicts WHERE tbl = $1 AND pk = $2
             AND field = $3 AND resolved_at IS NULL AND COALESCE(remote_value, '') = $4",
        )
        .bind(self.shape.table.clone())
        .bind(&key)
        .bind(field)
        .bind(remote_text.clone().unwrap_or_default())
        .fetch_one(&mut *self.conn)
        .await?
        .try_get(0)?;
        if already > 0 {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO sync_conflicts (id, tbl, pk, field, base_value, local_value, remote_value,
                remote_replica, detected_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(self.shape.table.clone())
        .bind(&key)
        .bind(field)
        .bind(text(base))
        .bind(text(local.as_ref()))
        .bind(remote_text)
        .bind(self.from.to_owned())
        .bind(self.at.to_owned())
        .execute(&mut *self.conn)
        .await?;
        self.done.conflicts += 1;
        Ok(())
    }

    /// A resolution settles this copy's open conflicts on the fields it sets.
    async fn settle(&mut self, field: &str) -> Result<()> {
        let key = serde_json::to_string(&self.change.key).unwrap_or_default();
        sqlx::query(
            "UPDATE sync_conflicts SET resolved_at = $1, resolved_by = $2
             WHERE tbl = $3 AND pk = $4 AND (field = $5 OR field = '*' OR field = 'unique')
               AND resolved_at IS NULL",
        )
        .bind(self.at.to_owned())
        .bind(format!("replica:{}", self.from))
        .bind(self.shape.table.clone())
        .bind(key)
        .bind(field)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Union: added when missing, replaced by the newer state, deleted for good.
    async fn union(&mut self) -> Result<()> {
        let here = self.here().await?;
        if self.change.op == "d" {
            if here.is_some() {
                self.delete().await?;
            } else if !self.tombstoned().await? {
                self.tombstone().await?;
            }
            return Ok(());
        }
        let Some(new) = &self.change.new else {
            return Ok(());
        };
        match here {
            None if self.tombstoned().await? => self.done.tombstoned += 1,
            None => self.insert(new).await?,
            Some(here) => {
                let fields: Vec<&str> = self
                    .shape
                    .columns
                    .iter()
                    .filter(|c| !same(c.kind, here.get(&c.name), new.get(&c.name)))
                    .map(|c| c.name.as_str())
                    .collect();
                self.update(&fields, new).await?;
            }
        }
        Ok(())
    }

    /// A change to an adopted plan's content: follow-up applies; anything else is kept beside
    /// as a conflict (the plan changes through a new version, or a person settles it).
    async fn frozen(&mut self, here: Option<Map<String, Value>>) -> Result<()> {
        let change = self.change;
        match (change.op.as_str(), here, &change.new) {
            ("d", None, _) => Ok(()),
            ("d", Some(here), _) => {
                let base = change.old.clone().map(Value::Object);
                self.conflict("*", base.as_ref(), Some(Value::Object(here)), None)
                    .await
            }
            (_, None, Some(new)) => {
                self.conflict("*", None, None, Some(Value::Object(new.clone())))
                    .await
            }
            (_, Some(here), Some(new)) => {
                let old = change.old.as_ref();
                let mut set = Vec::new();
                for c in self.shape.columns.iter().filter(|c| c.key == 0) {
                    let (o, n, h) = (
                        Self::value(old, &c.name),
                        new.get(&c.name),
                        here.get(&c.name),
                    );
                    if (old.is_some() && same(c.kind, o, n)) || same(c.kind, h, n) {
                        continue;
                    }
                    if self.follow_up(&c.name) && (old.is_none() || same(c.kind, h, o)) {
                        set.push(c.name.as_str());
                    } else {
                        self.conflict(&c.name, o, h.cloned(), n.cloned()).await?;
                    }
                }
                self.update(&set, new).await
            }
            _ => Ok(()),
        }
    }

    /// Merge: field by field from the version the change was based on. A settlement made on
    /// another copy settles the same conflicts here.
    async fn merge(&mut self) -> Result<()> {
        self.merge_change().await?;
        if self.change.resolves {
            let change = self.change;
            let settled: Vec<String> = self
                .shape
                .columns
                .iter()
                .filter(|c| c.key == 0)
                .filter(|c| match (&change.old, &change.new) {
                    (Some(o), Some(n)) => !same(c.kind, o.get(&c.name), n.get(&c.name)),
                    _ => true,
                })
                .map(|c| c.name.clone())
                .collect();
            for field in settled {
                self.settle(&field).await?;
            }
            self.settle("*").await?;
        }
        Ok(())
    }

    /// Whether the row belongs to an action plan adopted here: its content changes only through
    /// a new version, whichever copy the change comes from (follow-up goes on).
    async fn in_adopted_plan(&mut self, here: Option<&Map<String, Value>>) -> Result<bool> {
        let row = here
            .or(self.change.new.as_ref())
            .or(self.change.old.as_ref());
        let Some(row) = row else {
            return Ok(false);
        };
        let text = |f: &str| row.get(f).and_then(Value::as_str).map(str::to_owned);
        let plan = match self.shape.table.as_str() {
            "actions" => text("plan_id"),
            "budget_lines" | "plan_indicators" | "milestones" | "action_findings"
            | "action_decisions" => match text("action_id") {
                Some(action) => sqlx::query("SELECT plan_id FROM actions WHERE id = $1")
                    .bind(action)
                    .fetch_optional(&mut *self.conn)
                    .await?
                    .map(|r| r.try_get::<String, _>(0))
                    .transpose()?,
                None => None,
            },
            _ => return Ok(false),
        };
        let Some(plan) = plan else {
            return Ok(false);
        };
        let status: Option<String> = sqlx::query("SELECT status FROM action_plans WHERE id = $1")
            .bind(plan)
            .fetch_optional(&mut *self.conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        Ok(status.is_some_and(|s| s != "draft"))
    }

    /// Follow-up fields, which an adopted plan keeps recording.
    fn follow_up(&self, field: &str) -> bool {
        matches!(
            (self.shape.table.as_str(), field),
            ("actions", "status") | ("milestones", "done_on")
        )
    }

    async fn merge_change(&mut self) -> Result<()> {
        let change = self.change;
        let here = self.here().await?;
        if !change.resolves && self.in_adopted_plan(here.as_ref()).await? {
            return self.frozen(here).await;
        }
        match (change.op.as_str(), here) {
            ("d", None) => {
                if !self.tombstoned().await? {
                    self.tombstone().await?;
                }
            }
            ("d", Some(here)) => {
                let unchanged = self.shape.columns.iter().all(|c| {
                    same(
                        c.kind,
                        here.get(&c.name),
                        Self::value(change.old.as_ref(), &c.name),
                    )
                });
                if unchanged || change.resolves {
                    self.delete().await?;
                } else {
                    // Edited here, deleted there: the row stays until a person chooses.
                    let base = change.old.clone().map(Value::Object);
                    self.conflict("*", base.as_ref(), Some(Value::Object(here)), None)
                        .await?;
                }
            }
            (_, None) => {
                let Some(new) = &change.new else {
                    return Ok(());
                };
                if self.tombstoned().await? && !change.resolves {
                    // Deleted here, edited (or created again) there.
                    let base = change.old.clone().map(Value::Object);
                    self.conflict("*", base.as_ref(), None, Some(Value::Object(new.clone())))
                        .await?;
                } else {
                    self.insert(new).await?;
                }
            }
            (_, Some(here)) => {
                let Some(new) = &change.new else {
                    return Ok(());
                };
                let old = change.old.as_ref();
                let mut set: Vec<&str> = Vec::new();
                let mut conflicts = Vec::new();
                for c in self.shape.columns.iter().filter(|c| c.key == 0) {
                    let (o, n, h) = (
                        Self::value(old, &c.name),
                        new.get(&c.name),
                        here.get(&c.name),
                    );
                    // An insert has no base: only what differs from here matters.
                    if old.is_some() && same(c.kind, o, n) {
                        continue;
                    }
                    if same(c.kind, h, n) {
                        continue;
                    }
                    if change.resolves || (old.is_some() && same(c.kind, h, o)) {
                        set.push(c.name.as_str());
                    } else {
                        conflicts.push((c.name.as_str(), o.cloned(), h.cloned(), n.cloned()));
                    }
                }
                self.update(&set, new).await?;
                for (field, base, local, remote) in conflicts {
                    self.conflict(field, base.as_ref(), local, remote).await?;
                }
            }
        }
        Ok(())
    }
}
