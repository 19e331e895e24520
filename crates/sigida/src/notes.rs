//! `sigida import notes`: a coded-notes workbook (notes, codes, extraits) into a community's
//! qualitative evidence, all or nothing (`sigida_app::imports::notes`).

use std::path::Path;

use sigida_app::common::lookup::community_by_slug;
use sigida_app::imports::notes::import_notes;
use sigida_store::Store;

use crate::import::{Source, read_source};
use crate::{Failure, Place, tr};

pub async fn import(place: &Place, path: &Path, community: &str) -> Result<(), Failure> {
    let (source, bytes) = read_source(path)?;
    let store = place.open().await?;
    println!(
        "{}",
        import_bytes(&store, &source, &bytes, community).await?
    );
    Ok(())
}

/// Imports a coded-notes workbook's bytes; returns what to tell the user.
pub async fn import_bytes(
    store: &Store,
    source: &Source,
    bytes: &[u8],
    community: &str,
) -> Result<String, Failure> {
    let community = community_by_slug(store, community).await?;
    let done = import_notes(store, source.upload(bytes), &community, None).await?;
    Ok(done.summary(tr(), |n, tr| n.summary(tr)))
}
