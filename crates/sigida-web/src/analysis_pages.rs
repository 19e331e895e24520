//! A community's findings and their evidence, both ways, and the analyst's confidence.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::access::Permission;
use sigida_core::finding::{Confidence, Evidence, Finding, SourceType};
use sigida_core::indicator::Indicator;
use sigida_report::findings;

use crate::auth::Viewer;
use crate::error::WebError;
use crate::pages::community_of;
use crate::{AppState, layout};

/// Where Sigida holds a piece of evidence's source: an indicator's section, the flows page.
pub fn evidence_link(slug: &str, indicators: &[Indicator], e: &Evidence) -> Option<String> {
    if indicators.iter().any(|i| i.code == e.reference) {
        return Some(format!("/communities/{slug}/indicators#{}", e.reference));
    }
    (e.source_type == SourceType::FlowData).then(|| format!("/communities/{slug}/flows"))
}

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn community_findings(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(saved): Query<Saved>,
) -> Result<Markup, WebError> {
    let path = format!("/communities/{slug}/findings");
    viewer
        .require(&state, Permission::ViewDiagnostic, &path)
        .await?;
    let tr = viewer.tr;
    let (diagnostic, community) = community_of(&state, &viewer, &slug).await?;
    let list = state.store.findings(community.id).await?;
    let evidence = state.store.evidence_of_community(community.id).await?;
    let indicators = state.store.indicators(diagnostic.id).await?;
    let link = |e: &Evidence| evidence_link(&community.slug, &indicators, e);
    let may_edit = viewer.may(Permission::EditAnalysis);
    let confidence = |f: &Finding| {
        html! {
            @if may_edit {
                form.inline method="post" action={"/communities/" (community.slug) "/findings/" (f.id) "/confidence"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { (tr.t("findings.confidence")) " "
                        select name="confidence" {
                            option value="" selected[f.confidence.is_none()] { (tr.t("findings.confidence_unset")) }
                            @for c in Confidence::ALL {
                                option value=(c.code()) selected[f.confidence == Some(*c)] { (tr.t(c.label_key())) }
                            }
                        }
                    }
                    button type="submit" { (tr.t("findings.save")) }
                }
            } @else {
                span.note { (tr.t("findings.confidence")) " "
                    (f.confidence.map_or(tr.t("findings.confidence_unset"), |c| tr.t(c.label_key()))) }
            }
        }
    };
    let body = html! {
        p.note { a href={"/communities/" (community.slug)} { "← " (community.name) } }
        h1 { (tr.t("findings.title")) " — " (community.name) }
        @if saved.saved.is_some() { p.note role="status" { (tr.t("findings.saved")) } }
        p { (tr.t("findings.intro")) }
        h2 { (tr.t("findings.by_finding")) }
        (findings::by_finding(tr, &list, &evidence, link, confidence))
        h2 { (tr.t("findings.by_source")) }
        (findings::by_source(tr, &list, &evidence, link))
    };
    Ok(layout::page(
        &viewer,
        "/communities",
        &format!("{} — {}", tr.t("findings.title"), community.name),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(Deserialize)]
pub struct ConfidenceForm {
    csrf: String,
    #[serde(default)]
    confidence: String,
}

pub async fn set_confidence(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<ConfidenceForm>,
) -> Result<Response, WebError> {
    let path = format!("/communities/{slug}/findings/{id}/confidence");
    viewer
        .require(&state, Permission::EditAnalysis, &path)
        .await?;
    viewer.check_csrf(&form.csrf)?;
    let (_, community) = community_of(&state, &viewer, &slug).await?;
    let not_found = || WebError::NotFound {
        api: false,
        lang: viewer.tr.lang,
    };
    let finding = state
        .store
        .findings(community.id)
        .await?
        .into_iter()
        .find(|f| f.id.to_string() == id)
        .ok_or_else(not_found)?;
    let confidence = match form.confidence.as_str() {
        "" => None,
        code => Some(code.parse::<Confidence>().map_err(|_| not_found())?),
    };
    let mut tx = state.store.begin().await?;
    tx.set_finding_confidence(finding.id, confidence).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/communities/{}/findings?saved=1#{}",
        community.slug,
        findings::anchor(&finding)
    ))
    .into_response())
}
