//! Copies of one diagnostic brought together: a change log written by triggers in every
//! writer's transaction, the changes a peer has not acknowledged (`Store::outgoing`), and
//! their application on another copy (`Tx::apply`), by each table's class: union, field
//! merge with conflicts kept for a person, or local to a copy.

mod apply;
mod classes;
mod replicas;
mod resolve;
mod scope;
mod shape;

pub use apply::Applied;
pub use classes::{CLASSES, Class, class_of};
pub use replicas::{Replica, Server};
pub use resolve::{Choice, is_sealed};
pub(crate) use shape::{Dialect, install, key_text};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// What a copy sends: its changes after what the peer acknowledged, up to `upto`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Batch {
    /// The sending copy (its replica id) and its name.
    pub from: String,
    pub name: String,
    /// The schema it was written with (its last migration).
    pub schema: i64,
    /// The peer's changes the sender has applied, so the peer need not send them again.
    pub ack: i64,
    /// The sender's log position the batch starts after, and the one it goes up to.
    pub after: i64,
    pub upto: i64,
    /// Whether the sender's log goes on after `upto` (a batch cut at a limit).
    #[serde(default)]
    pub more: bool,
    pub changes: Vec<Change>,
}

/// One row's change.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    pub table: String,
    /// The row's primary key, in the key's order.
    pub key: Vec<Value>,
    /// `i` inserted, `u` updated, `d` deleted.
    pub op: String,
    /// The row before (merged tables: the version the change was based on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Map<String, Value>>,
    /// The row after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Map<String, Value>>,
    #[serde(default)]
    pub resolves: bool,
}

/// A copy this one exchanges with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub replica: String,
    pub name: String,
    /// The last of our changes it acknowledged.
    pub sent_upto: i64,
    /// The last of its changes we applied.
    pub received_upto: i64,
    pub last_sync_at: Option<String>,
}

/// Two changes that could not both be kept: the values on each side, until a person chooses.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub id: String,
    pub table: String,
    /// The row's key, as JSON.
    pub key: String,
    /// The field, `*` for an edit against a deletion, `unique` for a name both copies gave.
    pub field: String,
    /// The value both started from (for `unique`: the name of the field that clashed).
    pub base: Option<Value>,
    pub local: Option<Value>,
    pub remote: Option<Value>,
    pub remote_replica: String,
    pub detected_at: String,
}

fn parse_json(
    table: &'static str,
    column: &'static str,
    text: Option<String>,
) -> Result<Option<Value>> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
            table,
            column,
            detail: e.to_string(),
        })
    })
    .transpose()
}

pub(crate) fn conflict_of(r: &sqlx::any::AnyRow) -> Result<Conflict> {
    let json = |c: &'static str| -> Result<Option<Value>> {
        parse_json("sync_conflicts", c, r.try_get(c)?)
    };
    Ok(Conflict {
        id: r.try_get("id")?,
        table: r.try_get("tbl")?,
        key: r.try_get("pk")?,
        field: r.try_get("field")?,
        base: json("base_value")?,
        local: json("local_value")?,
        remote: json("remote_value")?,
        remote_replica: r.try_get("remote_replica")?,
        detected_at: r.try_get("detected_at")?,
    })
}

/// What a copy shares with the others, summed up: its rows of every table that travels but
/// the audit log (each copy audits its own exchanges, so its chain differs by them), in one
/// SHA-256. Two copies that have exchanged everything show the same, whichever engine each
/// runs on: values are compared as values (a real as a number, not as its engine writes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedContent {
    pub rows: usize,
    pub sha256: String,
}

/// Every row of a table, as changes carry them.
pub(crate) async fn all_rows(
    conn: &mut sqlx::AnyConnection,
    shape: &shape::Shape,
) -> Result<Vec<Map<String, Value>>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM {} r",
        shape.row_json("r"),
        shape.table
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(object(parse_json("sync", "row", r.try_get(0)?)?).unwrap_or_default()))
        .collect()
}

/// This copy's identity: the replica id its audit chain carries.
pub(crate) async fn replica_id<'e, E>(executor: E) -> Result<String>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query("SELECT replica FROM audit_head WHERE id = 1")
        .fetch_one(executor)
        .await?
        .try_get(0)?)
}

fn object(value: Option<Value>) -> Option<Map<String, Value>> {
    match value {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    }
}

impl Store {
    /// This copy's identity (the replica id its audit chain carries) and name.
    pub async fn replica(&self) -> Result<(String, String)> {
        let id = replica_id(&self.pool).await?;
        let name: String = sqlx::query("SELECT name FROM sync_context WHERE id = 1")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        // Until a person names it, a copy goes by the start of its id.
        let name = if name.is_empty() {
            format!("copie {}", id.get(..8).unwrap_or(&id))
        } else {
            name
        };
        Ok((id, name))
    }

    /// Names this copy, as its peers will list it.
    pub async fn name_replica(&self, name: &str) -> Result<()> {
        sqlx::query("UPDATE sync_context SET name = $1 WHERE id = 1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The copies this one has exchanged with.
    pub async fn peers(&self) -> Result<Vec<Peer>> {
        sqlx::query("SELECT * FROM sync_peers ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Peer {
                    replica: r.try_get("replica")?,
                    name: r.try_get("name")?,
                    sent_upto: r.try_get("sent_upto")?,
                    received_upto: r.try_get("received_upto")?,
                    last_sync_at: r.try_get("last_sync_at")?,
                })
            })
            .collect()
    }

    /// How many of this copy's changes wait for `peer` (a replica id): logged after what it
    /// acknowledged, and not its own.
    pub async fn waiting_for(&self, peer: &str) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM sync_changes
             WHERE seq > COALESCE((SELECT sent_upto FROM sync_peers WHERE replica = $1), 0)
               AND (via IS NULL OR via <> $1)",
        )
        .bind(peer)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    /// How many conflicts wait on one record (a table's row by its single id).
    pub async fn conflicts_on(&self, table: &str, id: &str) -> Result<i64> {
        let key = serde_json::to_string(&[id]).unwrap_or_default();
        Ok(sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM sync_conflicts
             WHERE tbl = $1 AND pk = $2 AND resolved_at IS NULL",
        )
        .bind(table)
        .bind(key)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?)
    }

    /// The fingerprint of what this copy shares with the others ([`SharedContent`]).
    pub async fn shared_content(&self) -> Result<SharedContent> {
        use sha2::Digest;
        let mut conn = self.pool.acquire().await?;
        let shapes = shape::shapes(&mut conn).await?;
        let mut hash = sha2::Sha256::new();
        let mut count = 0;
        for shape in shapes.iter().filter(|s| s.table != "audit_log") {
            let rows = all_rows(&mut conn, shape).await?;
            let mut lines = Vec::with_capacity(rows.len());
            for row in &rows {
                let canonical: std::collections::BTreeMap<&str, Value> = shape
                    .columns
                    .iter()
                    .map(|c| (c.name.as_str(), shape::canonical(c.kind, row.get(&c.name))))
                    .collect();
                lines.push(serde_json::to_string(&canonical).unwrap_or_default());
            }
            lines.sort();
            count += lines.len();
            for line in lines {
                hash.update(shape.table.as_bytes());
                hash.update(b"\t");
                hash.update(line.as_bytes());
                hash.update(b"\n");
            }
        }
        let sha256 = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(SharedContent {
            rows: count,
            sha256,
        })
    }

    /// The conflicts no one has settled yet.
    pub async fn open_conflicts(&self) -> Result<Vec<Conflict>> {
        let rows = sqlx::query(
            "SELECT * FROM sync_conflicts WHERE resolved_at IS NULL ORDER BY detected_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(conflict_of).collect()
    }

    /// Our changes that `peer` (a replica id; `None`: a new copy) has not acknowledged, with
    /// our acknowledgement of theirs. Rows of union tables travel as they are now (the last
    /// change of each row only); rows merged field by field travel change by change, each with
    /// the version it was based on. Changes that came from `peer` itself are not sent back.
    /// With `limit`, at most that many log entries are read: `upto` says where the batch stops,
    /// and the next batch starts there.
    pub async fn outgoing(&self, peer: Option<&str>, limit: Option<usize>) -> Result<Batch> {
        let (from, name) = self.replica().await?;
        let known = match peer {
            Some(p) => self.peers().await?.into_iter().find(|x| x.replica == p),
            None => None,
        };
        let (after, ack) = known
            .as_ref()
            .map_or((0, 0), |p| (p.sent_upto, p.received_upto));
        let end: i64 =
            sqlx::query("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM sync_changes")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
        let upto: i64 = match limit {
            None => end,
            Some(n) => sqlx::query(
                "SELECT CAST(COALESCE(MAX(seq), $2) AS BIGINT) FROM
                   (SELECT seq FROM sync_changes WHERE seq > $1 ORDER BY seq LIMIT $3) w",
            )
            .bind(after)
            .bind(after)
            .bind(i64::try_from(n).unwrap_or(i64::MAX))
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?,
        };
        let rows = sqlx::query(
            "SELECT seq, tbl, pk, op, old_row, new_row, resolves FROM sync_changes
             WHERE seq > $1 AND seq <= $2 AND (via IS NULL OR via <> $3) ORDER BY seq",
        )
        .bind(after)
        .bind(upto)
        .bind(peer.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        let shapes = shape::shapes(&mut conn).await?;
        // A laptop registered for some communities receives theirs and the whole diagnostic's.
        let scope = match peer {
            Some(p) => scope::Scope::of(&mut conn, &shapes, p).await?,
            None => None,
        };
        // The last change of each row of a union table: the row travels once, as it is now.
        let mut last: std::collections::HashMap<(String, String), i64> = Default::default();
        for r in &rows {
            last.insert((r.try_get("tbl")?, r.try_get("pk")?), r.try_get("seq")?);
        }
        let mut changes = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            let table: String = r.try_get("tbl")?;
            let pk: String = r.try_get("pk")?;
            let Some(shape) = shapes.iter().find(|s| s.table == table) else {
                continue;
            };
            let key = match parse_json("sync_changes", "pk", Some(pk.clone()))? {
                Some(Value::Array(key)) => key,
                _ => {
                    return Err(StoreError::Corrupt {
                        table: "sync_changes",
                        column: "pk",
                        detail: pk,
                    });
                }
            };
            let op: String = r.try_get("op")?;
            let mut change = Change {
                seq,
                table: table.clone(),
                key,
                op,
                old: object(parse_json(
                    "sync_changes",
                    "old_row",
                    r.try_get("old_row")?,
                )?),
                new: object(parse_json(
                    "sync_changes",
                    "new_row",
                    r.try_get("new_row")?,
                )?),
                resolves: r.try_get::<i64, _>("resolves")? != 0,
            };
            if shape.class == Class::Union {
                if last.get(&(table, pk)) != Some(&seq) {
                    continue;
                }
                if change.op != "d" {
                    match apply::current_row(&mut conn, shape, &change.key).await? {
                        Some(row) => {
                            change.op = "u".into();
                            change.new = Some(row);
                        }
                        // Deleted since: its deletion comes later in the log.
                        None => continue,
                    }
                }
            }
            if let Some(scope) = &scope
                && !scope.keeps(shape, change.new.as_ref().or(change.old.as_ref()))
            {
                continue;
            }
            changes.push(change);
        }
        Ok(Batch {
            from,
            name,
            schema: crate::migrate::latest_version(),
            ack,
            after,
            upto,
            more: upto < end,
            changes,
        })
    }
}
