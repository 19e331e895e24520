//! What the rooms share.

pub mod clean_data;
pub mod error;
pub mod explain;
pub mod files;
pub mod lookup;
pub mod redaction;

/// 32 random bytes in hex: a session's token, a form's CSRF token, a phone's token.
pub fn random_token() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rngs::OsRng.r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs use-cases that write inside a transaction as one: committed when all of them
/// succeed, nothing written otherwise. What a page does with one form, a script with a batch.
pub async fn in_transaction<T, E, F>(store: &sigida_store::Store, work: F) -> Result<T, E>
where
    F: AsyncFnOnce(&mut sigida_store::Tx) -> Result<T, E>,
    E: From<crate::AppError>,
{
    let mut tx = store.begin().await.map_err(crate::AppError::from)?;
    let done = work(&mut tx).await?;
    tx.commit().await.map_err(crate::AppError::from)?;
    Ok(done)
}
