//! What the team records of its field work in a community: the participatory exercises as the
//! facilitators typed them, and the protection capacities and opportunities it found.

use sigida_core::Timestamp;
use sigida_core::exercises::Exercise;
use sigida_core::protection::Capacity;
use sigida_store::Store;

use crate::{AppError, Refusal};

/// Records an exercise (already read from the facilitators' lines).
pub async fn record_exercise(
    store: &Store,
    exercise: &Exercise,
    at: Timestamp,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.insert_exercise(exercise, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a capacity or opportunity of the community: it needs a name.
pub async fn add_capacity(store: &Store, capacity: &Capacity) -> Result<(), AppError> {
    if capacity.name.trim().is_empty() {
        return Err(Refusal::new("protection.capacity_name").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_capacity(capacity).await?;
    tx.commit().await?;
    Ok(())
}
