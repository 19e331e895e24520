//! A community's analysis: the overview, the indicators brought up to date with their data,
//! the traveller surveys, the qualitative evidence, and all of it assembled for the contextual
//! analysis report. Shared by the pages, the API, the report writer and the demo.

pub mod citations;
pub mod definitions;
pub mod field_work;
pub mod findings;
pub mod indicators;
pub mod localities;
pub mod risks;
pub mod traveller_surveys;

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_report::overview::CommunityOverview;
use sigida_store::{Store, StoreError};

/// What an analyst changed of the analysis (a finding, its evidence, a document, an
/// indicator), audited inside the change's transaction.
pub(crate) async fn audit(
    tx: &mut sigida_store::Tx,
    by: Option<&str>,
    subject: String,
    detail: &str,
) -> Result<(), crate::AppError> {
    tx.audit(&sigida_core::audit::AuditEvent {
        id: sigida_core::Id::new(),
        at: sigida_core::Timestamp::now(),
        actor: by.map(str::to_owned),
        action: sigida_core::audit::AuditAction::AnalysisChanged,
        subject,
        detail: detail.to_owned(),
    })
    .await?;
    Ok(())
}

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

/// Everything the contextual analysis report of a community shows, in `lang`: indicators are
/// brought up to date with their data first, as their page does.
pub async fn community_analysis(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    lang: sigida_report::Lang,
    generated_on: time::Date,
) -> Result<sigida_report::analysis::CommunityAnalysis, crate::common::clean_data::DatasetError> {
    // What evidence can cite is what the report shows: its indicators (brought up to date once),
    // its risk reports, its flows and its exercises.
    let sources = citations::sources(store, diagnostic, community, lang.code()).await?;
    let traveller_surveys = crate::analysis::traveller_surveys::community_traveller_surveys(
        store,
        diagnostic,
        community,
        lang.code(),
    )
    .await?;
    let qualitative = community_qualitative(store, diagnostic, community).await?;
    let mut meetings = Vec::new();
    for meeting in store.meetings(community.id).await? {
        let decisions = store.decisions(meeting.id).await?;
        meetings.push((meeting, decisions));
    }
    let mut cleaning = Vec::new();
    for instrument in store.instruments(diagnostic.id).await? {
        if store.instrument_import_ids(instrument.id).await?.is_empty() {
            continue;
        }
        let log = store.cleaning_log(instrument.id).await?;
        cleaning.push((
            instrument.name.clone(),
            crate::common::clean_data::log_version(&log),
            log.len(),
        ));
    }
    let overview = community_overview(store, diagnostic, community).await?;
    let evidence_views = sources.views(sigida_report::Tr::new(lang), &overview.evidence);
    Ok(sigida_report::analysis::CommunityAnalysis {
        overview,
        evidence_views,
        flow_counts: sources.flows,
        traveller_surveys,
        risk_reports: sources.risks,
        capacities: store.capacities(community.id).await?,
        indicators: sources.indicators,
        exercises: sources.exercises,
        notes: qualitative.notes,
        codebook: qualitative.codebook,
        excerpts: qualitative.excerpts,
        known_names: qualitative.known_names,
        meetings,
        imports: store.raw_imports(diagnostic.id).await?,
        cleaning,
        generated_on,
    })
}
