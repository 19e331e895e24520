//! A community's findings, both ways, as the analysts write them: a finding (theme,
//! statement, localities), the evidence it cites chosen from what Sigida holds (each with its
//! value now, flagged when new data or a cleaning decision changed it since), the analyst's
//! confidence. Every form posts to the findings use-cases the workbook and the demo call; a
//! refused form comes back (422) with what was typed and why, nothing written.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_app::AppError;
use sigida_app::analysis::citations::{Sources, sources};
use sigida_app::analysis::findings::{self as use_cases, Citing, FindingDraft};
use sigida_core::Id;
use sigida_core::access::Permission;
use sigida_core::citation::{Citation, Freshness};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::{Confidence, Evidence, Finding, Stance, Theme, ValidationStatus};
use sigida_report::findings::{self, Sourced};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::{InCommunity, analysis_layout};
use crate::http::error::WebError;
use crate::http::form::{Fields, Input, Posted, Refused, alert, field};

/// Where Sigida holds a piece of evidence's source: an indicator's section, the flows page,
/// the qualitative data, the services, the protection map, the exercises, the documents.
pub fn evidence_link(slug: &str, e: &Evidence) -> Option<String> {
    let page = |p: &str| Some(format!("/communities/{slug}/{p}"));
    let Some(citation) = e.citation() else {
        // Evidence written before citations were typed: its kind of source still has a page.
        return (e.source_type == sigida_core::finding::SourceType::FlowData)
            .then(|| format!("/communities/{slug}/flows"));
    };
    match citation {
        Citation::Indicator { code, .. } => Some(format!("/communities/{slug}/indicators#{code}")),
        Citation::Flow { .. } => page("flows"),
        Citation::Code { .. } => page("qualitative"),
        Citation::Exercise { .. } => page("exercises"),
        Citation::Services { .. } => page("services"),
        Citation::Risk { .. } => page("protection"),
        Citation::Document { id, .. } => Some(format!("/documents/{id}")),
    }
}

async fn community_sources(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
) -> Result<Sources, WebError> {
    Ok(sources(&state.store, diagnostic, community, viewer.tr.lang.code()).await?)
}

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// The fields of a finding's form: theme, statement, the localities it is about.
fn finding_form(
    viewer: &Viewer,
    action: &str,
    fields: &Fields,
    localities: &[sigida_core::geography::Locality],
    refused: Option<&Refused>,
    button: &str,
) -> Markup {
    let tr = viewer.tr;
    let themes: Vec<(String, String)> = Theme::ALL
        .iter()
        .map(|t| (t.code().to_owned(), tr.t(t.label_key()).to_owned()))
        .collect();
    let chosen: Vec<&str> = fields.all("locality").collect();
    html! {
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            (alert(refused, &["theme", "statement", "localities"]))
            (field("theme", tr.t("findings.theme"), fields.get("theme"), Input::Choice(&themes), true, refused))
            (field("statement", tr.t("findings.statement"), fields.get("statement"), Input::LongText, true, refused))
            @if !localities.is_empty() {
                fieldset {
                    legend { (tr.t("findings.localities")) }
                    p.note { (tr.t("findings.localities_note")) }
                    @if let Some(r) = refused.filter(|r| r.field.as_deref() == Some("localities")) {
                        p.error role="alert" { (r.text) }
                    }
                    @for l in localities {
                        label.check {
                            input type="checkbox" name="locality" value=(l.id) checked[chosen.contains(&l.id.to_string().as_str())];
                            " " (l.name)
                        }
                    }
                }
            }
            button.primary type="submit" { (button) }
        }
    }
}

fn draft(fields: &Fields) -> Result<FindingDraft, sigida_app::Refusal> {
    let theme = fields.get("theme").parse::<Theme>().map_err(|_| {
        sigida_app::Refusal::new("finding.theme")
            .arg("field", "theme")
            .arg("value", fields.get("theme"))
    })?;
    let localities = fields
        .all("locality")
        .map(|l| {
            l.parse().map_err(|_| {
                sigida_app::Refusal::new("finding.locality")
                    .arg("field", "localities")
                    .arg("id", l)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FindingDraft {
        theme,
        statement: fields.get("statement").to_owned(),
        localities,
    })
}

/// The findings page: the new finding's form for those who may write, then from each finding
/// to its evidence and from each source to its findings.
async fn findings_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    saved: bool,
    new: (&Fields, Option<&Refused>),
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let list = state.store.findings(community.id).await?;
    let evidence = state.store.evidence_of_community(community.id).await?;
    let sources = community_sources(state, viewer, diagnostic, community).await?;
    let views = sources.views(tr, &evidence);
    let slug = community.slug.clone();
    let link = |e: &Evidence| evidence_link(&slug, e);
    let sourced = Sourced {
        views: &views,
        link: &link,
        min_cell: diagnostic.min_cell,
    };
    let may_edit = viewer.may(Permission::EditAnalysis);
    let may_plan = viewer.may(Permission::EditPlans);
    // From a finding to the actions of the plan in force that answer it.
    let mut actions = match state.store.latest_plan(community.id).await? {
        Some(plan) => state.store.actions(plan.id).await?,
        None => Vec::new(),
    };
    actions.retain(|a| viewer.user.may_see_action(a));
    let page_of = |f: &Finding| format!("/communities/{}/findings/{}", community.slug, f.id);
    let more = |f: &Finding| {
        let answering: Vec<_> = actions
            .iter()
            .filter(|a| a.finding_ids.contains(&f.id))
            .collect();
        html! {
            (confidence_form(viewer, community, f))
            @if !answering.is_empty() {
                p.note { (tr.t("findings.answered_by")) " : "
                    @for (i, a) in answering.iter().enumerate() {
                        @if i > 0 { " ; " }
                        a href={"/actions/" (a.id)} { (a.title) }
                    }
                }
            }
            " " a href=(page_of(f)) {
                (tr.t(if may_edit && f.validation == ValidationStatus::Pending { "findings.open_edit" } else { "findings.open" })) " →"
            }
            @if may_plan && f.is_accepted() {
                " " a href={"/communities/" (community.slug) "/plan?finding=" (f.id)} { (tr.t("plan.from_finding")) " →" }
            }
        }
    };
    let (fields, refused) = new;
    let localities = state.store.localities(community.id).await?;
    let changed = findings::changed_count(&views);
    let body = html! {
        @if saved { p.note role="status" { (tr.t("findings.saved")) } }
        p { (tr.t("findings.intro")) }
        @if changed > 0 { p.alert role="status" { (tr.with_n("citation.changed_count", changed as u64)) } }
        @if may_edit {
            details.panel open[list.is_empty() || refused.is_some()] {
                summary { (tr.t("findings.new")) }
                p.note { (tr.t("findings.new_note")) }
                (finding_form(viewer, &format!("/communities/{}/findings", community.slug), fields, &localities, refused, tr.t("findings.write")))
            }
            p.note { a href="/documents" { (tr.t("documents.title")) " →" } }
        }
        h2 { (tr.t("findings.by_finding")) }
        (findings::by_finding(tr, &list, &evidence, &sourced, more))
        h2 { (tr.t("findings.by_source")) }
        (findings::by_source(tr, &list, &evidence, &sourced))
    };
    let page = analysis_layout(viewer, diagnostic, community, "findings.title", body);
    Ok(if refused.is_some() {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

fn confidence_form(viewer: &Viewer, community: &Community, f: &Finding) -> Markup {
    let tr = viewer.tr;
    html! {
        @if viewer.may(Permission::EditAnalysis) {
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
}

pub async fn community_findings(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Query(saved): Query<Saved>,
) -> Result<Response, WebError> {
    let fields = Fields(vec![("theme".into(), Theme::Protection.code().into())]);
    findings_page(
        &state,
        &viewer,
        &diagnostic,
        &community,
        saved.saved.is_some(),
        (&fields, None),
    )
    .await
}

pub async fn create_finding(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let result = async {
        let draft = draft(&fields)?;
        let by = Some(viewer.user.username.as_str());
        let at = sigida_core::Timestamp::now();
        sigida_app::common::in_transaction(&state.store, async |tx| {
            use_cases::write_finding(tx, by, &community, Id::new(), &draft, at).await
        })
        .await
    }
    .await;
    match result {
        Ok(finding) => Ok(Redirect::to(&format!(
            "/communities/{}/findings/{}?saved=1",
            community.slug, finding.id
        ))
        .into_response()),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            findings_page(
                &state,
                &viewer,
                &diagnostic,
                &community,
                false,
                (&fields, Some(&refused)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The finding a path names, in its community; 404 otherwise.
async fn finding_of(
    state: &AppState,
    viewer: &Viewer,
    community: &Community,
    id: &str,
) -> Result<Finding, WebError> {
    state
        .store
        .findings(community.id)
        .await?
        .into_iter()
        .find(|f| f.id.to_string() == id)
        .ok_or_else(|| viewer.not_found())
}

/// What a refused form of the finding's page was, to show it again.
#[derive(Default)]
struct Again<'a> {
    edit: Option<(&'a Fields, &'a Refused)>,
    cite: Option<(&'a Fields, &'a Refused)>,
    other: Option<&'a Refused>,
}

/// Which form of the page a refusal belongs to.
#[derive(Clone, Copy)]
enum Place {
    Edit,
    Cite,
    Other,
}

impl Again<'_> {
    fn any(&self) -> bool {
        self.edit.is_some() || self.cite.is_some() || self.other.is_some()
    }
}

fn stances(viewer: &Viewer) -> Vec<(String, String)> {
    Stance::ALL
        .iter()
        .map(|s| (s.code().to_owned(), viewer.tr.t(s.label_key()).to_owned()))
        .collect()
}

/// One finding's page: its statement and localities (a form while it is pending), its
/// evidence with the value each cites now, the form citing a new source, and its removal.
async fn one_finding_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    finding: &Finding,
    saved: bool,
    again: Again<'_>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let evidence: Vec<Evidence> = state
        .store
        .evidence_of_community(community.id)
        .await?
        .into_iter()
        .filter(|e| e.finding_id == finding.id)
        .collect();
    let sources = community_sources(state, viewer, diagnostic, community).await?;
    let views = sources.views(tr, &evidence);
    let localities = state.store.localities(community.id).await?;
    let base = format!("/communities/{}/findings/{}", community.slug, finding.id);
    let may_edit = viewer.may(Permission::EditAnalysis);
    let pending = may_edit && finding.validation == ValidationStatus::Pending;
    let slug = community.slug.clone();
    let link = |e: &Evidence| evidence_link(&slug, e);
    let sourced = Sourced {
        views: &views,
        link: &link,
        min_cell: diagnostic.min_cell,
    };
    let current = Fields(
        std::iter::once(("theme".to_owned(), finding.theme.code().to_owned()))
            .chain(std::iter::once((
                "statement".to_owned(),
                finding.statement.clone(),
            )))
            .chain(
                finding
                    .localities
                    .iter()
                    .map(|l| ("locality".to_owned(), l.to_string())),
            )
            .collect(),
    );
    let (edit_fields, edit_refused) = match again.edit {
        Some((f, r)) => (f, Some(r)),
        None => (&current, None),
    };
    let blank = Fields(vec![("stance".into(), Stance::Supports.code().into())]);
    let (cite_fields, cite_refused) = match again.cite {
        Some((f, r)) => (f, Some(r)),
        None => (&blank, None),
    };
    let citable = sources.citable(tr);
    let chosen = cite_fields.get("citation");
    let named: Vec<String> = finding
        .localities
        .iter()
        .filter_map(|id| localities.iter().find(|l| l.id == *id))
        .map(|l| l.name.clone())
        .collect();
    let conflicts =
        crate::http::conflicts::banner(state, viewer, "findings", &finding.id.to_string()).await?;
    let body = html! {
        p.note { a href={"/communities/" (community.slug) "/findings#" (findings::anchor(finding))} { "← " (tr.t("findings.title")) } }
        (conflicts)
        @if saved { p.note role="status" { (tr.t("findings.saved")) } }
        @if let Some(r) = again.other { p.alert role="alert" { (r.text) } }
        p.note { (tr.t(finding.theme.label_key())) " · " (tr.t(finding.validation.label_key())) }
        h2 { (finding.amended_statement.as_deref().unwrap_or(&finding.statement)) }
        @if finding.amended_statement.is_some() {
            p.note { (tr.t("findings.original")) " « " (finding.statement) " »" }
        }
        @if !named.is_empty() { p.note { (tr.t("findings.localities")) " : " (named.join(", ")) } }
        @if finding.validation != ValidationStatus::Pending { p.note { (tr.t("findings.decided_note")) } }
        h3 { (tr.t("findings.evidence")) }
        @if evidence.is_empty() { p.note { (tr.t("findings.no_evidence")) } }
        @let mine: Vec<&Evidence> = evidence.iter().collect();
        p { (findings::triangulation(tr, &mine)) }
        @if views.iter().any(|v| matches!(v.freshness, Freshness::Changed { .. } | Freshness::Gone { .. })) {
            p.alert role="status" { (tr.t("citation.reread")) }
        }
        (findings::evidence_table(tr, &mine, &sourced))
        @for (e, v) in evidence.iter().zip(&views) {
            @if may_edit && matches!(v.freshness, Freshness::Changed { .. }) {
                form.inline method="post" action={(base) "/evidence/" (e.id) "/reread"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button type="submit" { (tr.t("citation.reread_button")) " — " (v.label) }
                }
            }
            @if pending {
                form.inline method="post" action={(base) "/evidence/" (e.id) "/delete"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button.secondary type="submit" { (tr.t("citation.remove")) " — " (v.label) }
                }
            }
        }
        @if pending {
            h3 { (tr.t("citation.add")) }
            @if citable.is_empty() {
                p.note { (tr.t("citation.nothing")) }
            } @else {
                form.stacked method="post" action={(base) "/evidence"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    (alert(cite_refused, &["citation", "stance"]))
                    label.field.invalid[cite_refused.is_some_and(|r| r.field.as_deref() == Some("citation"))] {
                        span { (tr.t("citation.source")) " *" }
                        select name="citation" required {
                            option value="" { (tr.t("register.choose")) }
                            @for kind in kinds(&citable) {
                                optgroup label=(tr.t(kind)) {
                                    @for c in citable.iter().filter(|c| c.kind == kind) {
                                        @let reference = c.citation.reference();
                                        option value=(reference) selected[reference == chosen] {
                                            (c.label) " — " (findings::cited_value(tr, &c.value, diagnostic.min_cell))
                                        }
                                    }
                                }
                            }
                        }
                        @if let Some(r) = cite_refused.filter(|r| r.field.as_deref() == Some("citation")) {
                            span.error { (r.text) }
                        }
                    }
                    (field("page", tr.t("citation.page"), cite_fields.get("page"), Input::Text, false, cite_refused))
                    (field("stance", tr.t("findings.stance"), cite_fields.get("stance"), Input::Choice(&stances(viewer)), true, cite_refused))
                    (field("summary", tr.t("citation.summary"), cite_fields.get("summary"), Input::Text, false, cite_refused))
                    p.note { (tr.t("citation.summary_note")) }
                    button.primary type="submit" { (tr.t("citation.cite")) }
                }
            }
            h3 { (tr.t("findings.edit")) }
            (finding_form(viewer, &format!("{base}/edit"), edit_fields, &localities, edit_refused, tr.t("register.save")))
            h3 { (tr.t("findings.delete")) }
            form.stacked method="post" action={(base) "/delete"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                p.note { (tr.t("findings.delete_note")) }
                button.danger type="submit" { (tr.t("findings.delete")) }
            }
        }
    };
    let page = analysis_layout(viewer, diagnostic, community, "findings.one", body);
    Ok(if again.any() {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

/// The kinds of the citable sources, in the order they come.
fn kinds(citable: &[sigida_app::analysis::citations::Citable]) -> Vec<&'static str> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for c in citable {
        if !kinds.contains(&c.kind) {
            kinds.push(c.kind);
        }
    }
    kinds
}

pub async fn finding(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, id)): Path<(String, String)>,
    Query(saved): Query<Saved>,
) -> Result<Response, WebError> {
    let finding = finding_of(&state, &viewer, &community, &id).await?;
    one_finding_page(
        &state,
        &viewer,
        &diagnostic,
        &community,
        &finding,
        saved.saved.is_some(),
        Again::default(),
    )
    .await
}

/// A form posted from a finding's page: its fields (the CSRF token checked), the finding the
/// path names, and where it was posted from.
struct FindingForm<'a> {
    state: &'a AppState,
    viewer: &'a Viewer,
    diagnostic: &'a Diagnostic,
    community: &'a Community,
    finding: Finding,
    fields: Fields,
}

impl<'a> FindingForm<'a> {
    async fn load(
        state: &'a AppState,
        viewer: &'a Viewer,
        at: &'a InCommunity,
        id: &str,
        fields: Vec<(String, String)>,
    ) -> Result<Self, WebError> {
        let fields = Fields(fields);
        viewer.check_csrf(fields.get("csrf"))?;
        let finding = finding_of(state, viewer, &at.community, id).await?;
        Ok(FindingForm {
            state,
            viewer,
            diagnostic: &at.diagnostic,
            community: &at.community,
            finding,
            fields,
        })
    }

    fn by(&self) -> Option<&str> {
        Some(&self.viewer.user.username)
    }

    /// The finding's page, saved.
    fn page(&self) -> String {
        format!(
            "/communities/{}/findings/{}?saved=1",
            self.community.slug, self.finding.id
        )
    }

    /// The evidence the path names, of this finding; 404 otherwise.
    async fn evidence(&self, id: &str) -> Result<Evidence, WebError> {
        self.state
            .store
            .evidence_of_community(self.community.id)
            .await?
            .into_iter()
            .find(|e| e.finding_id == self.finding.id && e.id.to_string() == id)
            .ok_or_else(|| self.viewer.not_found())
    }

    async fn sources(&self) -> Result<Sources, WebError> {
        community_sources(self.state, self.viewer, self.diagnostic, self.community).await
    }

    /// Runs the use-case in one transaction: saved, on to `then`; refused, the finding's page
    /// again with the refusal where `place` puts it (422), nothing written.
    async fn run<F>(&self, then: String, place: Place, run: F) -> Result<Response, WebError>
    where
        F: AsyncFnOnce(&mut sigida_store::Tx) -> Result<(), AppError>,
    {
        match sigida_app::common::in_transaction(&self.state.store, run).await {
            Ok(()) => Ok(Redirect::to(&then).into_response()),
            Err(AppError::Refused(r)) => {
                let refused = Refused::new(self.viewer.tr, &r);
                let fields = &self.fields;
                let again = match place {
                    Place::Edit => Again {
                        edit: Some((fields, &refused)),
                        ..Again::default()
                    },
                    Place::Cite => Again {
                        cite: Some((fields, &refused)),
                        ..Again::default()
                    },
                    Place::Other => Again {
                        other: Some(&refused),
                        ..Again::default()
                    },
                };
                let id = self.finding.id.to_string();
                let finding = finding_of(self.state, self.viewer, self.community, &id).await?;
                one_finding_page(
                    self.state,
                    self.viewer,
                    self.diagnostic,
                    self.community,
                    &finding,
                    false,
                    again,
                )
                .await
            }
            Err(e) => Err(e.into()),
        }
    }
}

pub async fn update_finding(
    State(state): State<AppState>,
    viewer: Viewer,
    at: InCommunity,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let form = FindingForm::load(&state, &viewer, &at, &id, fields).await?;
    form.run(form.page(), Place::Edit, async |tx| {
        let draft = draft(&form.fields)?;
        use_cases::edit_finding(tx, form.by(), form.finding.id, &draft).await?;
        Ok(())
    })
    .await
}

pub async fn delete_finding(
    State(state): State<AppState>,
    viewer: Viewer,
    at: InCommunity,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let form = FindingForm::load(&state, &viewer, &at, &id, fields).await?;
    let list = format!("/communities/{}/findings?saved=1", at.community.slug);
    form.run(list, Place::Other, async |tx| {
        use_cases::remove_finding(tx, form.by(), form.finding.id).await
    })
    .await
}

/// The citation the form chose: the source's reference, with the page of a document.
fn chosen_citation(fields: &Fields) -> Result<Citation, sigida_app::Refusal> {
    let refused = || {
        sigida_app::Refusal::new("citation.choose")
            .arg("field", "citation")
            .arg("reference", fields.get("citation"))
    };
    let mut citation = Citation::parse(fields.get("citation")).map_err(|_| refused())?;
    if let Citation::Document { page, .. } = &mut citation {
        let typed = fields.get("page");
        if !typed.is_empty() {
            *page = Some(typed.to_owned());
        }
    }
    Ok(citation)
}

pub async fn cite(
    State(state): State<AppState>,
    viewer: Viewer,
    at: InCommunity,
    Path((_, id)): Path<(String, String)>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let form = FindingForm::load(&state, &viewer, &at, &id, fields).await?;
    let sources = form.sources().await?;
    form.run(form.page(), Place::Cite, async |tx| {
        let citation = chosen_citation(&form.fields)?;
        let stance = form.fields.get("stance").parse::<Stance>().map_err(|_| {
            sigida_app::Refusal::new("citation.stance")
                .arg("field", "stance")
                .arg("value", form.fields.get("stance"))
        })?;
        let label = sources.label(viewer.tr, &citation);
        let citing = Citing {
            citation: &citation,
            stance,
            summary: form.fields.get("summary"),
            label: &label,
            now: sources.value(&citation),
        };
        use_cases::cite(tx, form.by(), form.finding.id, Id::new(), citing).await?;
        Ok(())
    })
    .await
}

pub async fn remove_evidence(
    State(state): State<AppState>,
    viewer: Viewer,
    at: InCommunity,
    Path((_, id, evidence)): Path<(String, String, String)>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let form = FindingForm::load(&state, &viewer, &at, &id, fields).await?;
    let evidence = form.evidence(&evidence).await?;
    form.run(form.page(), Place::Other, async |tx| {
        use_cases::remove_evidence(tx, form.by(), evidence.id).await
    })
    .await
}

/// The analyst has re-read the finding: the value its source says now becomes the value cited.
pub async fn reread(
    State(state): State<AppState>,
    viewer: Viewer,
    at: InCommunity,
    Path((_, id, evidence)): Path<(String, String, String)>,
    axum::Form(fields): Posted,
) -> Result<Response, WebError> {
    let form = FindingForm::load(&state, &viewer, &at, &id, fields).await?;
    let evidence = form.evidence(&evidence).await?;
    let freshness = form.sources().await?.freshness(&evidence);
    form.run(form.page(), Place::Other, async |tx| match freshness {
        Freshness::Changed { now, .. } | Freshness::Unchecked { now: Some(now) } => {
            use_cases::reread(tx, form.by(), evidence.id, &now).await
        }
        Freshness::Gone { .. } => Err(sigida_app::Refusal::new("citation.unknown")
            .arg("reference", evidence.reference.as_str())
            .into()),
        Freshness::Same | Freshness::Unchecked { now: None } => Ok(()),
    })
    .await
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
    InCommunity { community, .. }: InCommunity,
    Path((_, id)): Path<(String, String)>,
    axum::Form(form): axum::Form<ConfidenceForm>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let finding = finding_of(&state, &viewer, &community, &id).await?;
    let confidence = match form.confidence.as_str() {
        "" => None,
        code => Some(code.parse::<Confidence>().map_err(|_| viewer.not_found())?),
    };
    let by = Some(viewer.user.username.as_str());
    sigida_app::common::in_transaction(&state.store, async |tx| {
        use_cases::set_confidence(tx, by, finding.id, confidence).await
    })
    .await?;
    Ok(Redirect::to(&format!(
        "/communities/{}/findings?saved=1#{}",
        community.slug,
        findings::anchor(&finding)
    ))
    .into_response())
}
