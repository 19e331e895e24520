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

/// A community's qualitative evidence, with the names the team knows (its stakeholders'
/// contacts) that every quote must lose.
pub struct Qualitative {
    pub notes: Vec<sigida_core::qualitative::InterviewNote>,
    pub codebook: Vec<sigida_core::qualitative::Code>,
    pub excerpts: Vec<sigida_core::qualitative::Excerpt>,
    pub known_names: Vec<String>,
}

impl Qualitative {
    pub fn names(&self) -> Vec<&str> {
        self.known_names.iter().map(String::as_str).collect()
    }
}

pub async fn community_qualitative(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
) -> Result<Qualitative, StoreError> {
    Ok(Qualitative {
        notes: store.interview_notes(community.id).await?,
        codebook: store.codebook(diagnostic.id).await?,
        excerpts: store.excerpts(community.id).await?,
        known_names: store
            .stakeholders(diagnostic.id, Some(community.id))
            .await?
            .into_iter()
            .map(|s| s.contact_name.into_inner())
            .collect(),
    })
}
