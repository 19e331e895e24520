//! `sigida geo import`: a COD-AB list into the store, all or nothing
//! (`sigida_app::imports::geography`).

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sigida_app::imports::geography::import_geography;

use crate::import::{Source, read_source};
use crate::{Failure, Place, tr};

pub async fn import(place: &Place, file: &Path, cod_version: Option<&str>) -> Result<(), Failure> {
    let (source, bytes) = read_source(file)?;
    let store = place.open().await?;
    import_bytes(&store, &source, &bytes, cod_version).await
}

/// A COD-AB file's bytes into the store: what `sigida geo import` and the demo do.
pub async fn import_bytes(
    store: &sigida_store::Store,
    source: &Source,
    bytes: &[u8],
    cod_version: Option<&str>,
) -> Result<(), Failure> {
    let spinner = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message("Import des unités administratives");
    spinner.enable_steady_tick(Duration::from_millis(120));
    let done = import_geography(store, source.upload(bytes), cod_version, None).await;
    spinner.finish_and_clear();
    let done = done?;
    for skipped in &done.skipped {
        eprintln!("attention : {}", tr().format_error(skipped));
    }
    println!("{} : {}", source.shown, done.summary(tr()));
    Ok(())
}
