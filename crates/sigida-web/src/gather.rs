//! Views assembled from the store, shared by the pages, the API and the report writer.

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_report::overview::CommunityOverview;
use sigida_store::{Store, StoreError};

/// Everything the community overview shows.
pub async fn community_overview(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
) -> Result<CommunityOverview, StoreError> {
    let name_of = |pcode: String| async move {
        store
            .admin_unit(&pcode, &community.cod_version)
            .await
            .map(|u| u.map(|u| u.name))
    };
    Ok(CommunityOverview {
        diagnostic: diagnostic.clone(),
        community: community.clone(),
        region_name: name_of(community.region_pcode.clone()).await?,
        cercle_name: name_of(community.cercle_pcode.clone()).await?,
        localities: store.localities(community.id).await?,
        groups: store.groups(community.id).await?,
        stakeholders: store
            .stakeholders(diagnostic.id, Some(community.id))
            .await?,
        services: store.service_providers(community.id).await?,
        findings: store.findings(community.id).await?,
        evidence: store.evidence_of_community(community.id).await?,
    })
}
