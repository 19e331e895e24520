//! What a laptop registered for some communities receives: the rows of its communities, and
//! what belongs to the whole diagnostic.
//!
//! The rule, read from the schema: a table with a `community_id` belongs to that community (a
//! row without one — a national stakeholder — to the whole diagnostic); a table that refers to
//! such rows (a meeting's participants and ballots, a plan's actions and budget lines, a
//! finding's evidence) belongs to the community of what it refers to; every other table (the
//! diagnostic, admin units, the communities themselves, instruments, raw files, submissions,
//! the cleaning log, indicator definitions, the codebook, the audit log) goes to every copy.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use sqlx::Row;

use super::shape::Shape;
use crate::Result;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Link {
    /// Goes to every copy.
    Whole,
    /// Has its own `community_id`.
    Direct,
    /// Belongs where the rows it refers to by these columns belong: (column, table).
    Via(Vec<(String, String)>),
}

/// The scope of one laptop: the communities it works on and, for the tables others refer to,
/// the ids of rows outside it.
pub(crate) struct Scope {
    links: HashMap<String, Link>,
    inside: HashSet<String>,
    outside: HashMap<String, HashSet<String>>,
}

fn link_of(
    table: &str,
    shapes: &[Shape],
    links: &mut HashMap<String, Link>,
    visiting: &mut HashSet<String>,
) -> Link {
    if let Some(link) = links.get(table) {
        return link.clone();
    }
    let Some(shape) = shapes.iter().find(|s| s.table == table) else {
        return Link::Whole;
    };
    if !visiting.insert(table.to_owned()) {
        return Link::Whole;
    }
    let link = if shape.column("community_id").is_some() {
        Link::Direct
    } else {
        let via: Vec<(String, String)> = shape
            .refs
            .iter()
            .filter(|(_, parent)| parent != table)
            .filter(|(_, parent)| link_of(parent, shapes, links, visiting) != Link::Whole)
            .cloned()
            .collect();
        if via.is_empty() {
            Link::Whole
        } else {
            Link::Via(via)
        }
    };
    visiting.remove(table);
    links.insert(table.to_owned(), link.clone());
    link
}

fn text<'r>(row: &'r Map<String, Value>, column: &str) -> Option<&'r str> {
    row.get(column).and_then(Value::as_str)
}

impl Scope {
    /// The scope of `peer` when it is a laptop registered here for some communities; `None`
    /// when it receives everything.
    pub async fn of(
        conn: &mut sqlx::AnyConnection,
        shapes: &[Shape],
        peer: &str,
    ) -> Result<Option<Scope>> {
        let slugs: Option<String> = sqlx::query(
            "SELECT communities FROM sync_replicas WHERE replica = $1 ORDER BY created_at LIMIT 1",
        )
        .bind(peer)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        let slugs = super::replicas::slugs(&slugs.unwrap_or_default());
        if slugs.is_empty() {
            return Ok(None);
        }
        let mut inside = HashSet::new();
        for r in sqlx::query("SELECT id, slug FROM communities")
            .fetch_all(&mut *conn)
            .await?
        {
            if slugs.contains(&r.try_get::<String, _>(1)?) {
                inside.insert(r.try_get::<String, _>(0)?);
            }
        }
        let mut links = HashMap::new();
        for shape in shapes {
            link_of(&shape.table, shapes, &mut links, &mut HashSet::new());
        }
        let mut scope = Scope {
            links,
            inside,
            outside: HashMap::new(),
        };
        // The tables others refer to: the rows of each outside the scope, once the rows of
        // what it refers to are known (a parent before its children, whatever the order).
        let parents: std::collections::BTreeSet<String> = scope
            .links
            .values()
            .filter_map(|l| match l {
                Link::Via(via) => Some(via.iter().map(|(_, p)| p.clone())),
                _ => None,
            })
            .flatten()
            .collect();
        let mut progressed = true;
        while progressed {
            progressed = false;
            for table in &parents {
                let Some(shape) = shapes.iter().find(|s| &s.table == table) else {
                    continue;
                };
                let ready = match scope.links.get(table) {
                    Some(Link::Via(via)) => via.iter().all(|(_, p)| scope.outside.contains_key(p)),
                    _ => true,
                };
                if scope.outside.contains_key(table) || !ready || shape.keys().len() != 1 {
                    continue;
                }
                let out = scope.rows_outside(conn, shape).await?;
                scope.outside.insert(table.clone(), out);
                progressed = true;
            }
        }
        Ok(Some(scope))
    }

    /// The ids of the table's rows outside the scope.
    async fn rows_outside(
        &self,
        conn: &mut sqlx::AnyConnection,
        shape: &Shape,
    ) -> Result<HashSet<String>> {
        let rows = super::all_rows(conn, shape).await?;
        let key = shape
            .keys()
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let mut out = HashSet::new();
        for row in &rows {
            if !self.keeps(shape, Some(row))
                && let Some(id) = text(row, &key)
            {
                out.insert(id.to_owned());
            }
        }
        Ok(out)
    }

    /// Whether a row (as a change carries it; `None`: a deletion without it) goes to the laptop.
    pub fn keeps(&self, shape: &Shape, row: Option<&Map<String, Value>>) -> bool {
        let Some(row) = row else {
            return true;
        };
        match self.links.get(&shape.table) {
            None | Some(Link::Whole) => true,
            Some(Link::Direct) => text(row, "community_id").is_none_or(|c| self.inside.contains(c)),
            Some(Link::Via(via)) => via.iter().all(|(column, parent)| {
                text(row, column)
                    .is_none_or(|id| self.outside.get(parent).is_none_or(|out| !out.contains(id)))
            }),
        }
    }
}
