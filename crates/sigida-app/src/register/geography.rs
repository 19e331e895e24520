//! The admin units, corrected by a person: a name or a valid-from date fixed, a unit removed
//! while nothing refers to it. (They come in by `imports::geography`.)

use sigida_core::Timestamp;
use sigida_store::Store;

use super::places::audit;
use crate::{AppError, Refusal};

/// Corrects a unit's name and valid-from date (`YYYY-MM-DD`, or empty); audited.
pub async fn correct_unit(
    store: &Store,
    pcode: &str,
    cod_version: &str,
    name: &str,
    valid_from: &str,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    if name.trim().is_empty() {
        return Err(Refusal::new("register.name").arg("field", "name").into());
    }
    let valid_from = match valid_from.trim() {
        "" => None,
        date => Some(
            sigida_formats::parse_date(date)
                .ok_or_else(|| {
                    Refusal::new("file.date")
                        .arg("field", "valid_from")
                        .arg("value", date)
                })?
                .to_string(),
        ),
    };
    let mut tx = store.begin().await?;
    tx.correct_admin_unit(pcode, cod_version, name.trim(), valid_from.as_deref())
        .await?;
    tx.audit(&audit(
        at,
        by,
        format!("admin_unit:{pcode}:{cod_version}"),
        format!("modification : {}", name.trim()),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a unit nothing refers to; audited.
pub async fn remove_unit(
    store: &Store,
    pcode: &str,
    cod_version: &str,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.delete_admin_unit(pcode, cod_version).await?;
    tx.audit(&audit(
        at,
        by,
        format!("admin_unit:{pcode}:{cod_version}"),
        "suppression".to_owned(),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
