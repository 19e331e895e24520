//! The diagnostic itself: made once per store, its country checked.

use sigida_core::diagnostic::{Diagnostic, pcode_prefix};
use sigida_store::Store;

use crate::{AppError, Refusal};

/// The country must be an ISO 3166 alpha-3 code Sigida knows the P-code prefix of.
pub fn check_country(country: &str) -> Result<(), Refusal> {
    match pcode_prefix(country) {
        Some(_) => Ok(()),
        None => Err(Refusal::new("diagnostic.country").arg("country", country)),
    }
}

/// Creates the diagnostic of a store: the one way a diagnostic is made, by `sigida init` or
/// by the demo.
pub async fn create_diagnostic(store: &Store, diagnostic: &Diagnostic) -> Result<(), AppError> {
    check_country(&diagnostic.country_iso3)?;
    let mut tx = store.begin().await?;
    tx.insert_diagnostic(diagnostic).await?;
    tx.commit().await?;
    Ok(())
}
