//! Flow monitoring counts.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::flows::FlowCount;

use crate::rows::{Cols, date_text};
use crate::{Result, Store, Tx};

fn flow_count(row: &sqlx::any::AnyRow) -> Result<FlowCount> {
    let c = Cols::of("flow_counts", row);
    let people = |column| -> Result<u32> {
        u32::try_from(c.i64(column)?).map_err(|e| crate::StoreError::Corrupt {
            table: "flow_counts",
            column,
            detail: e.to_string(),
        })
    };
    Ok(FlowCount {
        community_id: c.id("community_id")?,
        import_id: c.opt_id("import_id")?,
        source_row: c.opt_i64("source_row")?.and_then(|r| u32::try_from(r).ok()),
        point: c.text("point")?,
        date: c.date("observed_on")?,
        direction: c.code("direction")?,
        origin: c.text("origin")?,
        destination: c.text("destination")?,
        nationality: c.text("nationality")?,
        transport: c.text("transport")?,
        travellers: people("travellers")?,
        men: people("men")?,
        women: people("women")?,
        boys: people("boys")?,
        girls: people("girls")?,
        unaccompanied_children: people("unaccompanied_children")?,
        vulnerable: people("vulnerable")?,
    })
}

impl Store {
    /// A community's flow counts in date order (then as imported).
    pub async fn flow_counts(&self, community: Id<Community>) -> Result<Vec<FlowCount>> {
        sqlx::query(
            "SELECT * FROM flow_counts WHERE community_id = $1
             ORDER BY observed_on, import_id, source_row, id",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(flow_count)
        .collect()
    }
}

impl Tx {
    pub async fn insert_flow_counts(&mut self, counts: &[FlowCount]) -> Result<()> {
        for f in counts {
            sqlx::query(
                "INSERT INTO flow_counts (id, community_id, import_id, source_row, point,
                    observed_on, direction, origin, destination, nationality, transport,
                    travellers, men, women, boys, girls, unaccompanied_children, vulnerable)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18)",
            )
            .bind(Id::<FlowCount>::new().to_string())
            .bind(f.community_id.to_string())
            .bind(f.import_id.map(|i| i.to_string()))
            .bind(f.source_row.map(i64::from))
            .bind(&f.point)
            .bind(date_text(f.date))
            .bind(f.direction.code())
            .bind(&f.origin)
            .bind(&f.destination)
            .bind(&f.nationality)
            .bind(&f.transport)
            .bind(i64::from(f.travellers))
            .bind(i64::from(f.men))
            .bind(i64::from(f.women))
            .bind(i64::from(f.boys))
            .bind(i64::from(f.girls))
            .bind(i64::from(f.unaccompanied_children))
            .bind(i64::from(f.vulnerable))
            .execute(self.conn())
            .await?;
        }
        Ok(())
    }
}
