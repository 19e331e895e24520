//! Finding what a person names: a community by the short name (slug) commands and files use.

use sigida_core::community::Community;
use sigida_store::Store;

use crate::{AppError, Refusal};

/// The diagnostic's community `slug`; an unknown one is refused with the known ones and how to
/// add one.
pub async fn community_by_slug(store: &Store, slug: &str) -> Result<Community, AppError> {
    let diagnostic = store.main_diagnostic().await?;
    if let Some(community) = store.community_by_slug(diagnostic.id, slug).await? {
        return Ok(community);
    }
    let known: Vec<String> = store
        .communities(diagnostic.id)
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    let refusal = if known.is_empty() {
        Refusal::new("community.none").arg("slug", slug)
    } else {
        Refusal::new("community.unknown")
            .arg("slug", slug)
            .arg("known", known.join(", "))
    };
    Err(refusal.into())
}
