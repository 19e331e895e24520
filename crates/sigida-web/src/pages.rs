//! Server-rendered pages.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{Markup, html};
use sigida_core::access::Permission;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_report::flows;
use sigida_report::indicators;
use sigida_report::overview::{self, Contacts};
use sigida_report::protection;
use sigida_report::{Tr, format};

use crate::auth::{Viewer, language};
use crate::error::WebError;
use crate::{AppState, layout};
use sigida_app::analysis::community_overview;

pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, WebError> {
    state.store.ping().await?;
    Ok("ok")
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        sigida_report::html::STYLESHEET,
    )
        .into_response()
}

pub async fn not_found(headers: HeaderMap, uri: axum::http::Uri) -> WebError {
    WebError::NotFound {
        api: uri.path().starts_with("/api/"),
        lang: language(&headers),
    }
}

pub(crate) async fn community_of(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
) -> Result<(Diagnostic, Community), WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let community = state
        .store
        .community_by_slug(diagnostic.id, slug)
        .await?
        .ok_or(WebError::NotFound {
            api: viewer.api,
            lang: viewer.tr.lang,
        })?;
    Ok((diagnostic, community))
}

/// The community of an analysis page (`/communities/<slug>/<part>`), once the viewer's right
/// to see the diagnostic is checked (a refusal is audited).
pub(crate) async fn analysis_community(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    part: &str,
) -> Result<(Diagnostic, Community), WebError> {
    let path = format!("/communities/{slug}/{part}");
    viewer
        .require(state, Permission::ViewDiagnostic, &path)
        .await?;
    community_of(state, viewer, slug).await
}

/// An analysis page around its body: the way back to the community, the title.
pub(crate) fn analysis_layout(
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    title_key: &str,
    body: Markup,
) -> Markup {
    let title = format!("{} — {}", viewer.tr.t(title_key), community.name);
    let body = html! {
        p.note { a href={"/communities/" (community.slug)} { "← " (community.name) } }
        h1 { (title) }
        (body)
    };
    layout::page(viewer, "/communities", &title, diagnostic.synthetic, body)
}

pub async fn overview(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    viewer
        .require(&state, Permission::ViewDiagnostic, "/")
        .await?;
    let tr = viewer.tr;
    let store = &state.store;
    let diagnostic = store.main_diagnostic().await?;
    let communities = store.communities(diagnostic.id).await?;
    let (mut localities, mut population, mut groups, mut services, mut findings) = (0, 0, 0, 0, 0);
    let (mut meetings, mut plans) = (0, 0);
    let mut cards = Vec::new();
    for c in &communities {
        let ov = community_overview(store, &diagnostic, c).await?;
        localities += ov.localities.len();
        population += ov.population();
        groups += ov.groups.len();
        services += ov.services.len();
        findings += ov.findings.len();
        meetings += store.meetings(c.id).await?.len();
        plans += store.plans(c.id).await?.len();
        cards.push(ov);
    }
    let stakeholders = store.stakeholders(diagnostic.id, None).await?.len();
    let imports = store.raw_imports(diagnostic.id).await?.len();
    let n = |v: usize| format::integer(tr, v as i64);
    let phases = [
        (
            "phase.preparation",
            n(communities.len()),
            "overview.communities",
        ),
        ("phase.data", n(imports), "overview.imports"),
        ("phase.analysis", n(findings), "overview.findings"),
        ("phase.consultation", n(meetings), "overview.meetings"),
        ("phase.plans", n(plans), "overview.plans"),
    ];
    let body = html! {
        h1 { (diagnostic.name) }
        p.lead { (tr.t("overview.programme")) " : " (diagnostic.programme) " · "
            (tr.t("overview.country")) " : " (diagnostic.country_iso3) " · "
            (tr.t("overview.created")) " " (format::date(tr, diagnostic.created_at.date())) }
        div.cards {
            @for (value, key) in [
                (n(communities.len()), "overview.communities"),
                (n(localities), "overview.localities"),
                (format::integer(tr, population), "overview.population"),
                (n(stakeholders), "overview.stakeholders"),
                (n(groups), "overview.groups"),
                (n(services), "overview.services"),
            ] {
                div.card { span.figure { (value) } span.label { (tr.t(key)) } }
            }
        }
        h2 { (tr.t("overview.communities")) }
        (community_cards(tr, &cards))
        h2 { (tr.t("overview.workflow")) }
        div.table-wrap { table {
            thead { tr { th scope="col" { (tr.t("overview.phase")) } th scope="col" class="num" { "" } th scope="col" { "" } } }
            tbody { @for (phase, value, unit) in &phases { tr {
                th scope="row" { (tr.t(phase)) } td.num { (value) } td { (tr.t(unit)) }
            } } }
        } }
    };
    Ok(layout::page(
        &viewer,
        "/",
        tr.t("overview.title"),
        diagnostic.synthetic,
        body,
    ))
}

fn community_cards(tr: Tr, overviews: &[overview::CommunityOverview]) -> Markup {
    html! {
        div.communities {
            @for ov in overviews {
                section.community {
                    h3 { a href={"/communities/" (ov.community.slug)} { (ov.community.name) } }
                    (overview::identity(tr, ov))
                    dl {
                        dt { (tr.t("overview.localities")) } dd { (format::integer(tr, ov.localities.len() as i64)) }
                        dt { (tr.t("community.population")) } dd { (format::integer(tr, ov.population())) }
                        dt { (tr.t("overview.groups")) } dd { (format::integer(tr, ov.groups.len() as i64)) }
                        dt { (tr.t("overview.services")) } dd { (format::integer(tr, ov.services.len() as i64)) }
                    }
                    a href={"/communities/" (ov.community.slug)} { (tr.t("community.open")) " →" }
                }
            }
        }
    }
}

pub async fn communities(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Markup, WebError> {
    viewer
        .require(&state, Permission::ViewDiagnostic, "/communities")
        .await?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let mut overviews = Vec::new();
    for c in state.store.communities(diagnostic.id).await? {
        overviews.push(community_overview(&state.store, &diagnostic, &c).await?);
    }
    let body = html! {
        h1 { (tr.t("community.list_title")) }
        (community_cards(tr, &overviews))
    };
    Ok(layout::page(
        &viewer,
        "/communities",
        tr.t("community.list_title"),
        diagnostic.synthetic,
        body,
    ))
}

pub async fn community(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Markup, WebError> {
    let path = format!("/communities/{slug}");
    viewer
        .require(&state, Permission::ViewDiagnostic, &path)
        .await?;
    let tr = viewer.tr;
    let (diagnostic, community) = community_of(&state, &viewer, &slug).await?;
    let ov = community_overview(&state.store, &diagnostic, &community).await?;
    let contacts = if viewer
        .reveal_personal_data(
            &state,
            &path,
            "contacts des parties prenantes et des prestataires",
        )
        .await?
    {
        Contacts::Shown
    } else {
        Contacts::Hidden
    };
    let meetings = state.store.meetings(community.id).await?;
    let plans = state.store.plans(community.id).await?;
    let body = html! {
        p.note { a href="/communities" { "← " (tr.t("nav.communities")) } }
        h1 { (community.name) }
        (overview::identity(tr, &ov))
        @if viewer.may(Permission::DownloadReports) {
            p {
                (tr.t("report.download")) " "
                a href={"/reports/" (community.slug) "/analyse-contextuelle.html"} { "HTML (FR)" } " · "
                a href={"/reports/" (community.slug) "/analyse-contextuelle.pdf"} { "PDF (FR)" } " · "
                a href={"/reports/" (community.slug) "/analyse-contextuelle.en.html"} { "HTML (EN)" } " · "
                a href={"/reports/" (community.slug) "/analyse-contextuelle.en.pdf"} { "PDF (EN)" }
            }
        }
        ul.links {
            li { a href={"/communities/" (community.slug) "/flows"} { (tr.t("flows.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/protection"} { (tr.t("protection.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/groups"} { (tr.t("groups.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/indicators"} { (tr.t("indicators.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/services"} { (tr.t("services.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/qualitative"} { (tr.t("qualitative.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/exercises"} { (tr.t("exercises.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/findings"} { (tr.t("findings.nav")) " →" } }
            li { a href={"/communities/" (community.slug) "/plan"} { (tr.t("plan.title")) " →" } }
        }
        (overview::sections(tr, &ov, contacts))
        h2 { (tr.t("community.meetings")) }
        @if meetings.is_empty() { p.note { (tr.t("community.none")) } }
        ul { @for m in &meetings { li {
            @if viewer.may(Permission::RunMeetings) {
                a href={"/meetings/" (m.id)} { (format::date(tr, m.date)) " — " (m.title) }
            } @else {
                (format::date(tr, m.date)) " — " (m.title)
            }
            " (" (m.place) ")"
        } } }
        @if viewer.may(Permission::RunMeetings) {
            (crate::meeting_pages::new_meeting_form(&viewer, &community.slug))
        }
        h2 { (tr.t("community.plans")) }
        @if plans.is_empty() { p.note { (tr.t("community.none")) } }
        ul { @for p in &plans { li {
            (p.title) " — v" (p.version) " · " (tr.t(p.status.label_key()))
            @if viewer.may(Permission::DownloadReports) {
                " · " a href={"/reports/" (community.slug) "/plan-action.html"} { "HTML" }
                " · " a href={"/reports/" (community.slug) "/plan-action.pdf"} { "PDF" }
            }
        } } }
    };
    Ok(layout::page(
        &viewer,
        "/communities",
        &community.name,
        diagnostic.synthetic,
        body,
    ))
}

/// A community's migration trends and flows, from its flow monitoring counts.
pub async fn community_flows(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let (diagnostic, community) = analysis_community(&state, &viewer, &slug, "flows").await?;
    let counts = state.store.flow_counts(community.id).await?;
    let analysis = flows::FlowAnalysis::of(&counts);
    let surveys = sigida_app::analysis::traveller_surveys::community_traveller_surveys(
        &state.store,
        &diagnostic,
        &community,
        tr.lang.code(),
    )
    .await?;
    let body = html! {
        (flows::section(tr, &analysis))
        h2 { (tr.t("flows.survey")) }
        (flows::survey_section(tr, &surveys))
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "flows.title",
        body,
    ))
}

/// A community's socio-economic groups, with the survey's estimates of their sizes.
pub async fn community_groups(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let (diagnostic, community) = analysis_community(&state, &viewer, &slug, "groups").await?;
    let groups = state.store.groups(community.id).await?;
    let computed = sigida_app::analysis::indicators::community_indicators(
        &state.store,
        &diagnostic,
        &community,
        tr.lang.code(),
    )
    .await?;
    let views = sigida_app::analysis::indicators::group_views(&groups, &computed);
    let body = html! {
        (sigida_report::groups::section(tr, &community.slug, &views, diagnostic.min_cell))
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "groups.title",
        body,
    ))
}

/// A community's protection and security risks: the severity heat map, its rules, its reports.
pub async fn community_protection(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    axum::extract::Query(outcome): axum::extract::Query<crate::analysis_pages::Outcome>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let (diagnostic, community) = analysis_community(&state, &viewer, &slug, "protection").await?;
    let localities = state.store.localities(community.id).await?;
    let reports = state.store.risk_reports(community.id).await?;
    let capacities = state.store.capacities(community.id).await?;
    let places = protection::Place::all(&localities);
    let body = html! {
        (protection::section(tr, &places, &reports))
        (protection::capacities(tr, &places, &capacities))
        @if outcome.saved.is_some() { p.note role="status" { (tr.t("protection.saved")) } }
        @if let Some(why) = crate::error::shown_refusal(tr, outcome.refused.as_deref()) { p.alert role="alert" { (tr.t("protection.refused")) " " (why) } }
        @if viewer.may(Permission::EnterData) {
            (crate::analysis_pages::capacity_form(&viewer, &community.slug, &localities))
        }
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "protection.title",
        body,
    ))
}

/// A community's survey indicators: computed on its clean data, stored with provenance.
pub async fn community_indicators(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let (diagnostic, community) = analysis_community(&state, &viewer, &slug, "indicators").await?;
    let computed = sigida_app::analysis::indicators::community_indicators(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
    let findings = state.store.findings(community.id).await?;
    let evidence = state.store.evidence_of_community(community.id).await?;
    let cited_by = |code: &str| -> Vec<(String, String)> {
        let mut cited: Vec<(String, String)> = evidence
            .iter()
            .filter(|e| e.reference == code)
            .filter_map(|e| findings.iter().find(|f| f.id == e.finding_id))
            .map(|f| {
                (
                    format!(
                        "/communities/{}/findings#{}",
                        community.slug,
                        sigida_report::findings::anchor(f)
                    ),
                    f.amended_statement
                        .clone()
                        .unwrap_or_else(|| f.statement.clone()),
                )
            })
            .collect();
        cited.dedup();
        cited
    };
    let shown: Vec<indicators::Shown<'_>> = computed
        .iter()
        .map(|c| c.shown(cited_by(&c.indicator.code)))
        .collect();
    let body = html! {
        p { (tr.t("indicators.intro")) }
        (indicators::section(tr, &shown, diagnostic.min_cell))
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "indicators.title",
        body,
    ))
}

/// A community's service providers against its needs: 4W map, coverage, gaps, pathways.
pub async fn community_services(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Markup, WebError> {
    let path = format!("/communities/{slug}/services");
    let tr = viewer.tr;
    let (diagnostic, community) = analysis_community(&state, &viewer, &slug, "services").await?;
    let localities = state.store.localities(community.id).await?;
    let providers = state.store.service_providers(community.id).await?;
    let reports = state.store.risk_reports(community.id).await?;
    let contacts = if viewer
        .reveal_personal_data(&state, &path, "contacts des prestataires de services")
        .await?
    {
        Contacts::Shown
    } else {
        Contacts::Hidden
    };
    let places = protection::Place::all(&localities);
    let body = html! {
        (sigida_report::services::section(tr, &places, &providers, &reports, contacts))
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "services.title",
        body,
    ))
}

/// A community's interviews and focus groups: notes, codebook counts, quotes without names.
pub async fn community_qualitative(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let (diagnostic, community) = analysis_community(&state, &viewer, &slug, "qualitative").await?;
    let q =
        sigida_app::analysis::community_qualitative(&state.store, &diagnostic, &community).await?;
    let body = html! {
        (sigida_report::qualitative::section(tr, &q.notes, &q.codebook, &q.excerpts, &q.names()))
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "qualitative.title",
        body,
    ))
}

/// A report file's name as PRODUCT.md writes it: `STEM[.en].html` or `.pdf`; its language and
/// whether it is the PDF.
fn report_file(file: &str, stem: &str) -> Option<(sigida_report::Lang, bool)> {
    let rest = file.strip_prefix(stem)?;
    match rest {
        ".html" => Some((sigida_report::Lang::Fr, false)),
        ".en.html" => Some((sigida_report::Lang::En, false)),
        ".pdf" => Some((sigida_report::Lang::Fr, true)),
        ".en.pdf" => Some((sigida_report::Lang::En, true)),
        _ => None,
    }
}

/// A file to download under its name.
pub(crate) fn attachment(content_type: &str, file: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A report served as a document: inline styles are its own, so it gets a CSP of its own that
/// still forbids every request; a PDF comes as a download under its file name.
fn report_response(
    file: &str,
    html: impl FnOnce() -> String,
    pdf: Option<Result<Vec<u8>, sigida_report::pdf::PdfError>>,
) -> Result<Response, WebError> {
    match pdf {
        Some(bytes) => {
            let bytes = bytes.map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(attachment("application/pdf", file, bytes))
        }
        None => Ok((
            [(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            )],
            Html(html()),
        )
            .into_response()),
    }
}

/// A community's contextual analysis report: `/reports/<slug>/analyse-contextuelle[.en].html`.
pub async fn community_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let path = format!("/reports/{slug}/{file}");
    viewer
        .require(&state, Permission::DownloadReports, &path)
        .await?;
    let (diagnostic, community) = community_of(&state, &viewer, &slug).await?;
    let today = time::OffsetDateTime::now_utc().date();
    if file.starts_with("plan-action.") {
        let plan = crate::plan_pages::latest_plan(&state, &viewer, &community).await?;
        let doc =
            sigida_app::plans::plan_document(&state.store, &diagnostic, &community, &plan, today)
                .await?;
        let workbook = match file.as_str() {
            "plan-action.xlsx" => Some(sigida_report::Lang::Fr),
            "plan-action.en.xlsx" => Some(sigida_report::Lang::En),
            _ => None,
        };
        if let Some(lang) = workbook {
            let sheets = sigida_report::plan::workbook(sigida_report::Tr::new(lang), &doc);
            let bytes = sigida_formats::write::sheets_bytes(std::path::Path::new(&file), &sheets)
                .map_err(|e| WebError::Internal(e.to_string()))?;
            return Ok(attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &file,
                bytes,
            ));
        }
        let (lang, pdf) = report_file(&file, "plan-action").ok_or(WebError::NotFound {
            api: false,
            lang: viewer.tr.lang,
        })?;
        let tr = sigida_report::Tr::new(lang);
        return report_response(
            &file,
            || sigida_report::plan::plan(tr, &doc),
            pdf.then(|| sigida_report::plan::plan_pdf(tr, &doc)),
        );
    }
    let (lang, pdf) = report_file(&file, "analyse-contextuelle").ok_or(WebError::NotFound {
        api: false,
        lang: viewer.tr.lang,
    })?;
    let analysis = sigida_app::analysis::community_analysis(
        &state.store,
        &diagnostic,
        &community,
        lang,
        today,
    )
    .await?;
    let tr = sigida_report::Tr::new(lang);
    report_response(
        &file,
        || sigida_report::analysis::report(tr, &analysis),
        pdf.then(|| sigida_report::analysis::report_pdf(tr, &analysis)),
    )
}

/// A meeting's minutes: `/reports/<slug>/reunions/<date>-<meeting>[.en].{html,pdf}`.
pub async fn minutes_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let path = format!("/reports/{slug}/reunions/{file}");
    viewer
        .require(&state, Permission::DownloadReports, &path)
        .await?;
    let (diagnostic, community) = community_of(&state, &viewer, &slug).await?;
    let not_found = || WebError::NotFound {
        api: false,
        lang: viewer.tr.lang,
    };
    let mut found = None;
    for meeting in state.store.meetings(community.id).await? {
        let stem = sigida_report::minutes::file_stem(&meeting);
        if let Some(kind) = report_file(&file, &stem) {
            found = Some((meeting, kind));
        }
    }
    let (meeting, (lang, pdf)) = found.ok_or_else(not_found)?;
    let today = time::OffsetDateTime::now_utc().date();
    let m = sigida_app::meetings::meeting_minutes(
        &state.store,
        &diagnostic,
        &community,
        &meeting,
        today,
    )
    .await?;
    let tr = sigida_report::Tr::new(lang);
    report_response(
        &file,
        || sigida_report::minutes::minutes(tr, &m),
        pdf.then(|| sigida_report::minutes::minutes_pdf(tr, &m)),
    )
}

/// The synthesis across communities: `/reports/synthese[.en].html`.
pub async fn synthesis_report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let path = format!("/reports/{file}");
    viewer
        .require(&state, Permission::DownloadReports, &path)
        .await?;
    let (lang, pdf) = report_file(&file, "synthese").ok_or(WebError::NotFound {
        api: false,
        lang: viewer.tr.lang,
    })?;
    let diagnostic = state.store.main_diagnostic().await?;
    let today = time::OffsetDateTime::now_utc().date();
    let mut all = Vec::new();
    for community in state.store.communities(diagnostic.id).await? {
        all.push(
            sigida_app::analysis::community_analysis(
                &state.store,
                &diagnostic,
                &community,
                lang,
                today,
            )
            .await?,
        );
    }
    let tr = sigida_report::Tr::new(lang);
    report_response(
        &file,
        || sigida_report::analysis::synthesis(tr, &all, today),
        pdf.then(|| sigida_report::analysis::synthesis_pdf(tr, &all, today)),
    )
}

pub async fn imports(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
    viewer
        .require(&state, Permission::ViewData, "/imports")
        .await?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let imports = state.store.raw_imports(diagnostic.id).await?;
    let instruments = state.store.instruments(diagnostic.id).await?;
    let body = html! {
        h1 { (tr.t("imports.title")) }
        h2 { (tr.t("imports.instruments")) }
        @if instruments.is_empty() { p.note { (tr.t("community.none")) } }
        ul { @for i in &instruments { li { (i.name) " — " (tr.t(i.kind.label_key())) } } }
        h2 { (tr.t("overview.imports")) }
        @if imports.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("imports.file")) }
                    th scope="col" { (tr.t("imports.kind")) }
                    th scope="col" class="num" { (tr.t("imports.records")) }
                    th scope="col" class="num hide-narrow" { (tr.t("imports.size")) }
                    th scope="col" class="hide-narrow" { (tr.t("imports.sha256")) }
                    th scope="col" { (tr.t("imports.at")) }
                } }
                tbody { @for i in &imports { tr {
                    th scope="row" { (i.file_name) }
                    td { (tr.t(i.kind.label_key())) }
                    td.num { (format::integer(tr, i.record_count)) }
                    td class="num hide-narrow" { (format::integer(tr, i.byte_size)) }
                    td class="hide-narrow" { code { (&i.sha256[..12]) "…" } }
                    td { (format::date(tr, i.imported_at.date())) }
                } } }
            } }
        }
    };
    Ok(layout::page(
        &viewer,
        "/imports",
        tr.t("imports.title"),
        diagnostic.synthetic,
        body,
    ))
}

/// Events on one page of the audit log.
const AUDIT_PAGE: i64 = 200;

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    page: Option<i64>,
}

/// The whole audit log, newest first, page by page.
pub async fn audit(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(query): axum::extract::Query<AuditQuery>,
) -> Result<Markup, WebError> {
    viewer
        .require(&state, Permission::ViewAudit, "/audit")
        .await?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let total = state.store.audit_count().await?;
    let pages = ((total + AUDIT_PAGE - 1) / AUDIT_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let events = state
        .store
        .audit_page((page - 1) * AUDIT_PAGE, AUDIT_PAGE)
        .await?;
    let pager = html! {
        nav.pager aria-label=(tr.t("audit.pages")) {
            @if page > 1 { a href={"/audit?page=" (page - 1)} { (tr.t("audit.newer")) } " · " }
            (tr.t("audit.page").replace("{n}", &page.to_string()).replace("{total}", &pages.to_string()))
            @if page < pages { " · " a href={"/audit?page=" (page + 1)} { (tr.t("audit.older")) } }
        }
    };
    let body = html! {
        h1 { (tr.t("audit.title")) }
        (pager)
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("audit.at")) }
                th scope="col" { (tr.t("audit.actor")) }
                th scope="col" { (tr.t("audit.action")) }
                th scope="col" { (tr.t("audit.subject")) }
                th scope="col" class="hide-narrow" { (tr.t("audit.detail")) }
            } }
            tbody { @for e in &events { tr {
                td { (e.at.to_rfc3339()[..19].replace('T', " ")) }
                td { (e.actor.as_deref().unwrap_or("—")) }
                td { (tr.t(e.action.label_key())) }
                td { code { (e.subject) } }
                td class="hide-narrow" { (e.detail) }
            } } }
        } }
        (pager)
    };
    Ok(layout::page(
        &viewer,
        "/audit",
        tr.t("audit.title"),
        diagnostic.synthetic,
        body,
    ))
}

pub async fn users(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    viewer
        .require(&state, Permission::ManageUsers, "/users")
        .await?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let users = state.store.users().await?;
    let body = html! {
        h1 { (tr.t("users.title")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("users.username")) }
                th scope="col" { (tr.t("users.name")) }
                th scope="col" { (tr.t("users.role")) }
                th scope="col" class="hide-narrow" { (tr.t("users.organisation")) }
                th scope="col" { (tr.t("users.active")) }
            } }
            tbody { @for u in &users { tr {
                th scope="row" { (u.username) }
                td { (u.display_name) }
                td { (tr.t(u.role.label_key())) }
                td class="hide-narrow" { (u.organisation) }
                td { (tr.t(if u.active { "community.yes" } else { "community.no" })) }
            } } }
        } }
    };
    Ok((
        StatusCode::OK,
        layout::page(
            &viewer,
            "/users",
            tr.t("users.title"),
            diagnostic.synthetic,
            body,
        ),
    )
        .into_response())
}
