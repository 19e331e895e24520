//! The community's diagnostic: overview, list, the community's page and its analysis parts
//! (flows, groups, protection, indicators, services, qualitative).

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::{InCommunity, analysis_layout};
use crate::http::error::WebError;
use crate::http::layout;
use axum::extract::State;
use maud::{Markup, html};
use sigida_app::analysis::community_overview;
use sigida_core::access::Permission;
use sigida_core::actors::Level;
use sigida_report::flows;
use sigida_report::indicators;
use sigida_report::overview::{self, Contacts};
use sigida_report::protection;
use sigida_report::{Tr, format};

pub async fn overview(State(state): State<AppState>, viewer: Viewer) -> Result<Markup, WebError> {
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
        @if cards.is_empty() { (next_steps(&viewer, store.admin_units().await?.is_empty())) }
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

/// The diagnostic workbook: the template, the registers as they stand, a filled one imported.
fn workbook_section(viewer: &Viewer) -> Markup {
    let tr = viewer.tr;
    let edit = viewer.may(Permission::EditRegister);
    html! {
        h2 id="classeur" { (tr.t("workbook.title")) }
        p.note { (tr.t("workbook.lead")) }
        ul.links {
            @if edit { li { a href="/workbook/modele.xlsx" { (tr.t("workbook.template")) } } }
            li { a href="/workbook/registres.xlsx" { (tr.t("workbook.export")) } }
            @if viewer.may(Permission::ViewPersonalData) {
                li { a href="/workbook/registres.xlsx?personal=1" { (tr.t("workbook.export_personal")) } }
            }
        }
        @if edit {
            form.stack method="post" action="/workbook/import" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("workbook.filled")) input type="file" name="file" accept=".xlsx" required; }
                button.primary type="submit" { (tr.t("upload.send")) }
            }
        }
    }
}

/// What to do when the diagnostic has no community yet: import the P-codes, then add the
/// communities (or fill the workbook), in that order.
fn next_steps(viewer: &Viewer, no_geography: bool) -> Markup {
    let tr = viewer.tr;
    let may = viewer.may(Permission::EditRegister);
    html! {
        div.empty {
            p { strong { (tr.t("register.empty_title")) } }
            ol {
                li.done[!no_geography] {
                    (tr.t("register.step_geography")) " "
                    a href="/geography" { (tr.t("geography.title")) }
                    @if no_geography { " — " code { "sigida geo import FICHIER" } }
                }
                li {
                    (tr.t("register.step_communities")) " "
                    @if may { a href="/communities/new" { (tr.t("register.new_community")) } " — " }
                    code { "sigida community add NOM --cercle PCODE" }
                }
                li { (tr.t("register.step_localities")) }
            }
            @if !may { p.note { (tr.t("register.ask_coordinator")) } }
        }
    }
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
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let mut overviews = Vec::new();
    for c in state.store.communities(diagnostic.id).await? {
        overviews.push(community_overview(&state.store, &diagnostic, &c).await?);
    }
    let (archived, current): (Vec<_>, Vec<_>) = overviews
        .into_iter()
        .partition(|ov| ov.community.archived_at.is_some());
    let body = html! {
        h1 { (tr.t("community.list_title")) }
        @if viewer.may(Permission::EditRegister) {
            p.actions-bar { a.button href="/communities/new" { (tr.t("register.new_community")) } }
        }
        @if current.is_empty() { (next_steps(&viewer, state.store.admin_units().await?.is_empty())) }
        (community_cards(tr, &current))
        @if !archived.is_empty() {
            h2 { (tr.t("register.archived_title")) }
            (community_cards(tr, &archived))
        }
        (workbook_section(&viewer))
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    axum::extract::Query(outcome): axum::extract::Query<super::analysis::Outcome>,
) -> Result<Markup, WebError> {
    let path = format!("/communities/{}", community.slug);
    let tr = viewer.tr;
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
        @if outcome.saved.is_some() { p.note role="status" { (tr.t("register.saved")) } }
        @if community.archived_at.is_some() { p.alert { (tr.t("register.is_archived")) } }
        (overview::identity(tr, &ov))
        @if viewer.may(Permission::EditRegister) {
            p.actions-bar {
                a.button href={"/communities/" (community.slug) "/edit"} { (tr.t("register.edit_community")) }
                a.button href={"/communities/" (community.slug) "/localities/new"} { (tr.t("register.new_locality")) }
                a.button href={"/communities/" (community.slug) "/actors"} { (tr.t("actors.title")) }
            }
            @if !ov.localities.is_empty() {
                details {
                    summary { (tr.t("register.edit_localities")) }
                    ul { @for l in &ov.localities {
                        li { a href={"/communities/" (community.slug) "/localities/" (l.id) "/edit"} { (l.name) } }
                    } }
                }
            }
        }
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
            (new_meeting_form(&viewer, &community.slug))
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    axum::extract::Query(outcome): axum::extract::Query<super::analysis::Outcome>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let localities = state.store.localities(community.id).await?;
    let reports = sigida_app::analysis::risks::community_risk_reports(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
    let capacities = state.store.capacities(community.id).await?;
    let places = protection::Place::all(&localities);
    let entered: Vec<_> = reports
        .iter()
        .filter(|r| r.origin == sigida_core::protection::ReportOrigin::Entered)
        .cloned()
        .collect();
    let linkable = super::risks::linkable(&state, diagnostic.id).await?;
    let body = html! {
        (protection::section(tr, &places, &reports))
        (protection::capacities(tr, &places, &capacities))
        @if outcome.saved.is_some() { p.note role="status" { (tr.t("protection.saved")) } }
        @if let Some(why) = crate::http::error::shown_refusal(tr, outcome.refused.as_deref()) { p.alert role="alert" { (tr.t("protection.refused")) " " (why) } }
        (super::risks::forms(&viewer, &community.slug, &localities, &entered, &linkable.0, &linkable.1))
        @if viewer.may(Permission::EnterData) {
            (super::analysis::capacity_form(&viewer, &community.slug, &localities))
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
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
            .filter(|e| e.indicator_code().as_deref() == Some(code))
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
        cited.sort();
        cited.dedup();
        cited
    };
    let shown: Vec<indicators::Shown<'_>> = computed
        .iter()
        .map(|c| c.shown(cited_by(&c.indicator.code)))
        .collect();
    let body = html! {
        p { (tr.t("indicators.intro")) }
        @if viewer.may(sigida_core::access::Permission::EditAnalysis) {
            p { a href="/indicators" { (tr.t("indicators.define")) " →" } }
        }
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Markup, WebError> {
    let path = format!("/communities/{}/services", community.slug);
    let tr = viewer.tr;
    let localities = state.store.localities(community.id).await?;
    let providers = state.store.service_providers(community.id).await?;
    let reports = sigida_app::analysis::risks::community_risk_reports(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
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
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    axum::extract::Query(outcome): axum::extract::Query<super::analysis::Outcome>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let q =
        sigida_app::analysis::community_qualitative(&state.store, &diagnostic, &community).await?;
    let localities = state.store.localities(community.id).await?;
    let body = html! {
        @if outcome.saved.is_some() { p.note role="status" { (tr.t("findings.saved")) } }
        @if let Some(why) = crate::http::error::shown_refusal(tr, outcome.refused.as_deref()) { p.alert role="alert" { (why) } }
        (sigida_report::qualitative::section(tr, &q.notes, &q.codebook, &q.excerpts, &q.names()))
        @if viewer.may(Permission::EnterData) && !q.notes.is_empty() && !localities.is_empty() {
            h2 id="localites-notes" { (tr.t("qualitative.note_localities")) }
            p.note { (tr.t("qualitative.note_localities_note")) }
            @for n in &q.notes {
                form.inline id={"note-" (n.id)} method="post" action={"/communities/" (community.slug) "/qualitative/notes/" (n.id) "/locality"} {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    span { code { (n.code) } " → " }
                    select name="locality" {
                        option value="" selected[n.locality_id.is_none()] { (tr.t("qualitative.no_locality")) }
                        @for l in &localities { option value=(l.id) selected[n.locality_id == Some(l.id)] { (l.name) } }
                    }
                    button type="submit" { (tr.t("register.save")) }
                }
                br;
            }
        }
    };
    Ok(analysis_layout(
        &viewer,
        &diagnostic,
        &community,
        "qualitative.title",
        body,
    ))
}

/// The form that opens a meeting in this community (its route is the meetings room's).
fn new_meeting_form(viewer: &Viewer, slug: &str) -> Markup {
    let tr = viewer.tr;
    html! {
        details {
            summary { (tr.t("meeting.new")) }
            form.stack method="post" action={"/communities/" (slug) "/meetings"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("meeting.title")) input name="title" required; }
                label { (tr.t("minutes.level"))
                    select name="level" { @for l in Level::ALL { option value=(l.code()) selected[*l == Level::Local] { (tr.t(l.label_key())) } } } }
                label { (tr.t("minutes.date")) input type="date" name="date" required; }
                label { (tr.t("minutes.place")) input name="place" required; }
                label { (tr.t("minutes.facilitators")) input name="facilitators"; }
                label { (tr.t("meeting.agenda_lines")) textarea name="agenda" rows="4" {} }
                button.primary type="submit" { (tr.t("meeting.create")) }
            }
        }
    }
}
