//! `sigida import flows`: a flow monitoring sheet (CSV or XLSX, HXL-tagged or not) into a
//! community's flow counts, all or nothing (`sigida_app::imports::flows`).

use std::path::Path;

use sigida_app::common::lookup::community_by_slug;
use sigida_app::imports::flows::import_flows;
use sigida_store::Store;

use crate::import::{Source, read_source};
use crate::{Failure, Place, tr};

pub async fn import(
    place: &Place,
    path: &Path,
    community: &str,
    sheet: Option<&str>,
) -> Result<(), Failure> {
    let (source, bytes) = read_source(path)?;
    let store = place.open().await?;
    let summary = import_bytes(&store, &source, &bytes, community, sheet).await?;
    println!("{summary}");
    Ok(())
}

/// Imports a flow sheet's bytes; returns what to tell the user.
pub async fn import_bytes(
    store: &Store,
    source: &Source,
    bytes: &[u8],
    community: &str,
    sheet: Option<&str>,
) -> Result<String, Failure> {
    let community = community_by_slug(store, community).await?;
    let done = import_flows(store, source.upload(bytes), &community, sheet, None).await?;
    Ok(done.summary(tr(), |f, tr| f.summary(tr)))
}
