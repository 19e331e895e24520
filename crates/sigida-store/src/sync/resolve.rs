//! A person settles a conflict: keeps this copy's value, takes the other's, or writes a third;
//! for an edit against a deletion, keeps the row or deletes it; for a name both copies gave,
//! renames the other's row or discards it. The settlement is logged as a change that
//! `resolves`, which every other copy applies over its own value and which settles the same
//! conflict there.

use serde_json::{Map, Value};

use super::apply::{Entry, current_row, delete_row, insert_row, log_entry, update_row};
use super::shape::{Shape, shapes};
use crate::{Result, Store, StoreError, Tx};

/// What a person chose.
#[derive(Clone, Debug, PartialEq)]
pub enum Choice {
    /// This copy's value (its row, for an edit against a deletion).
    Ours,
    /// The other copy's value (its deletion, for an edit against a deletion).
    Theirs,
    /// A value of one's own (a field), or a new name for the other copy's row (a clash).
    Value(String),
    /// The other copy's row is dropped everywhere (a clash of names).
    Discard,
}

fn refused(code: &'static str) -> StoreError {
    StoreError::Refused(sigida_core::refusal::Refusal::new(code))
}

/// Whether a value of a conflict is a sealed personal value: shown to no one as it is (the
/// pages and commands say it is there, sealed).
pub fn is_sealed(value: &Value) -> bool {
    value.as_str().is_some_and(crate::sealing::is_sealed_text)
}

impl Store {
    /// What a person calls the record of each conflict: its name, organisation, title or
    /// statement, as it is here (or as the other copy has it, when deleted here).
    pub async fn conflict_labels(
        &self,
        conflicts: &[super::Conflict],
    ) -> Result<Vec<Option<String>>> {
        let mut conn = self.pool.acquire().await?;
        let shapes = shapes(&mut conn).await?;
        let mut labels = Vec::with_capacity(conflicts.len());
        for conflict in conflicts {
            let Some(shape) = shapes.iter().find(|s| s.table == conflict.table) else {
                labels.push(None);
                continue;
            };
            let key: Vec<Value> = serde_json::from_str(&conflict.key).unwrap_or_default();
            let here = current_row(&mut conn, shape, &key).await?;
            let row = here.or_else(|| {
                [&conflict.remote, &conflict.local]
                    .into_iter()
                    .find_map(|v| v.as_ref().and_then(Value::as_object).cloned())
            });
            labels.push(row.and_then(|row| {
                [
                    "name",
                    "organisation",
                    "title",
                    "statement",
                    "label",
                    "code",
                    "item",
                ]
                .iter()
                .find_map(|f| row.get(*f).and_then(Value::as_str).map(str::to_owned))
                .filter(|t| !crate::sealing::is_sealed_text(t))
            }));
        }
        Ok(labels)
    }
}

impl Tx {
    /// Settles conflict `id` with `choice`, for `by`, at `at`.
    pub async fn resolve_conflict(
        &mut self,
        id: &str,
        choice: &Choice,
        by: &str,
        at: &str,
    ) -> Result<super::Conflict> {
        let conflict = {
            let row =
                sqlx::query("SELECT * FROM sync_conflicts WHERE id = $1 AND resolved_at IS NULL")
                    .bind(id)
                    .fetch_optional(self.conn())
                    .await?
                    .ok_or_else(|| StoreError::not_found("missing.conflict", id))?;
            super::conflict_of(&row)?
        };
        let shapes = shapes(self.conn()).await?;
        let shape = shapes
            .iter()
            .find(|s| s.table == conflict.table)
            .ok_or_else(|| refused("sync.table"))?
            .clone();
        let key: Vec<Value> =
            serde_json::from_str(&conflict.key).map_err(|e| StoreError::Corrupt {
                table: "sync_conflicts",
                column: "pk",
                detail: e.to_string(),
            })?;
        sqlx::query("UPDATE sync_context SET resolves = 1, via = NULL WHERE id = 1")
            .execute(self.conn())
            .await?;
        let done = self.settle_with(&shape, &key, &conflict, choice).await;
        sqlx::query("UPDATE sync_context SET resolves = 0 WHERE id = 1")
            .execute(self.conn())
            .await?;
        done?;
        sqlx::query(
            "UPDATE sync_conflicts SET resolved_at = $1, resolved_by = $2, resolution = $3
             WHERE tbl = $4 AND pk = $5 AND (field = $6 OR field = '*' OR field = 'unique')
               AND resolved_at IS NULL",
        )
        .bind(at)
        .bind(by)
        .bind(format!("{choice:?}"))
        .bind(&conflict.table)
        .bind(&conflict.key)
        .bind(&conflict.field)
        .execute(self.conn())
        .await?;
        Ok(conflict)
    }

    async fn settle_with(
        &mut self,
        shape: &Shape,
        key: &[Value],
        conflict: &super::Conflict,
        choice: &Choice,
    ) -> Result<()> {
        let here = current_row(self.conn(), shape, key).await?;
        match (conflict.field.as_str(), choice) {
            // A field: the value chosen is written, and logged even when it is already ours.
            (field, choice) if field != "*" && field != "unique" => {
                let Some(here) = here else {
                    return Err(refused("sync.conflict_gone"));
                };
                let value = match choice {
                    Choice::Ours => here.get(field).cloned().unwrap_or(Value::Null),
                    Choice::Theirs => conflict.remote.clone().unwrap_or(Value::Null),
                    Choice::Value(text) => Value::String(text.clone()),
                    Choice::Discard => return Err(refused("sync.conflict_choice")),
                };
                let mut chosen = here.clone();
                chosen.insert(field.to_owned(), value);
                self.write_row(shape, key, &chosen).await?;
                let mut other = chosen.clone();
                let before = match choice {
                    Choice::Ours => conflict.remote.clone(),
                    _ => here.get(field).cloned(),
                };
                other.insert(field.to_owned(), before.unwrap_or(Value::Null));
                self.log_resolution(shape, key, "u", Some(&other), Some(&chosen))
                    .await
            }
            // An edit against a deletion: the row, or its deletion, everywhere.
            ("*", Choice::Ours | Choice::Theirs) => {
                let keep = matches!(
                    (choice, &here),
                    (Choice::Ours, Some(_)) | (Choice::Theirs, None)
                );
                let row = match (&here, &conflict.remote, &conflict.local) {
                    (Some(h), _, _) => Some(h.clone()),
                    (None, Some(Value::Object(r)), _) => Some(r.clone()),
                    (None, _, Some(Value::Object(l))) => Some(l.clone()),
                    _ => None,
                };
                match (keep, row) {
                    (true, Some(row)) => {
                        if here.is_none() {
                            self.write_row(shape, key, &row).await?;
                        }
                        self.log_resolution(shape, key, "u", None, Some(&row)).await
                    }
                    (true, None) => Err(refused("sync.conflict_gone")),
                    (false, _) => {
                        if here.is_some() {
                            delete_row(self.conn(), shape, key).await?;
                        }
                        self.log_resolution(shape, key, "d", here.as_ref(), None)
                            .await
                    }
                }
            }
            // A name both copies gave: the other's row renamed, or dropped everywhere.
            ("unique", Choice::Value(name)) => {
                let Some(Value::Object(mut row)) = conflict.remote.clone() else {
                    return Err(refused("sync.conflict_gone"));
                };
                let field = conflict
                    .base
                    .as_ref()
                    .and_then(Value::as_str)
                    .ok_or_else(|| refused("sync.conflict_choice"))?
                    .to_owned();
                row.insert(field, Value::String(name.clone()));
                self.write_row(shape, key, &row).await?;
                self.log_resolution(shape, key, "u", None, Some(&row)).await
            }
            ("unique", Choice::Discard | Choice::Ours) => {
                let old = conflict.remote.as_ref().and_then(Value::as_object).cloned();
                self.log_resolution(shape, key, "d", old.as_ref(), None)
                    .await
            }
            _ => Err(refused("sync.conflict_choice")),
        }
    }

    /// Writes a whole row as it is chosen (inserted when missing here).
    async fn write_row(
        &mut self,
        shape: &Shape,
        key: &[Value],
        row: &Map<String, Value>,
    ) -> Result<()> {
        if current_row(self.conn(), shape, key).await?.is_none() {
            return insert_row(self.conn(), shape, row).await;
        }
        let fields: Vec<&str> = shape
            .columns
            .iter()
            .filter(|c| c.key == 0)
            .map(|c| c.name.as_str())
            .collect();
        update_row(self.conn(), shape, key, &fields, row).await
    }

    /// The settlement as a change that resolves, whatever the triggers logged.
    async fn log_resolution(
        &mut self,
        shape: &Shape,
        key: &[Value],
        op: &str,
        old: Option<&Map<String, Value>>,
        new: Option<&Map<String, Value>>,
    ) -> Result<()> {
        let entry = Entry {
            op,
            old,
            new,
            via: None,
            resolves: true,
        };
        log_entry(self.conn(), shape, key, entry).await
    }
}
