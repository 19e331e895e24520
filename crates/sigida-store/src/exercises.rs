//! Community exercises, their data kept as JSON.

use sigida_core::community::Community;
use sigida_core::exercises::Exercise;
use sigida_core::{Id, Timestamp};

use crate::rows::{Cols, date_text};
use crate::{Result, Store, StoreError, Tx};

fn exercise(row: &sqlx::any::AnyRow) -> Result<Exercise> {
    let c = Cols::of("exercises", row);
    Ok(Exercise {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        title: c.text("title")?,
        group: c.opt_code("group_kind")?,
        held_on: c.date("held_on")?,
        data: c.json("data")?,
    })
}

impl Store {
    pub async fn exercises(&self, community: Id<Community>) -> Result<Vec<Exercise>> {
        sqlx::query(
            "SELECT * FROM exercises WHERE community_id = $1 ORDER BY held_on, created_at, id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(exercise)
        .collect()
    }
}

impl Tx {
    pub async fn insert_exercise(&mut self, e: &Exercise, at: Timestamp) -> Result<()> {
        // Written out here, not through json_text: an exercise that cannot be written must
        // not be stored as null.
        let data = serde_json::to_string(&e.data).map_err(|err| StoreError::Corrupt {
            table: "exercises",
            column: "data",
            detail: err.to_string(),
        })?;
        sqlx::query(
            "INSERT INTO exercises (id, community_id, kind, title, group_kind, held_on, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.id.to_string())
        .bind(e.community_id.to_string())
        .bind(e.data.kind().code())
        .bind(&e.title)
        .bind(e.group.map(|g| g.code()))
        .bind(date_text(e.held_on))
        .bind(data)
        .bind(at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
