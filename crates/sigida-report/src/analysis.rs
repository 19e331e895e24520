//! The contextual analysis report of a community, and the synthesis across communities: the
//! analysis pages' sections composed into one document, in the order the programme publishes
//! it, with its sources and method in annexes. The same body makes the HTML file and the PDF.

use maud::{Markup, html};
use sigida_core::actors::SocioEconomicGroup;
use sigida_core::citation::Citation;
use sigida_core::disclosure::{Cell, publish};
use sigida_core::exercises::Exercise;
use sigida_core::finding::{Evidence, Finding, SourceType, ValidationStatus, convergence};
use sigida_core::flows::FlowCount;
use sigida_core::instrument::RawImport;
use sigida_core::meeting::{Decision, Meeting};
use sigida_core::protection::{Capacity, RiskReport, RiskType, Severity, severity_grid};
use sigida_core::qualitative::{Code, Excerpt, InterviewNote};

use crate::flows::{FlowAnalysis, TravellerSurvey};
use crate::groups::{GroupView, SurveySize};
use crate::indicators::Computed;
use crate::overview::{CommunityOverview, Contacts};
use crate::protection::Place;
use crate::{Tr, format};

/// Everything the report on one community shows, gathered by the caller.
pub struct CommunityAnalysis {
    pub overview: CommunityOverview,
    pub flow_counts: Vec<FlowCount>,
    pub traveller_surveys: Vec<TravellerSurvey>,
    pub risk_reports: Vec<RiskReport>,
    pub capacities: Vec<Capacity>,
    pub indicators: Vec<Computed>,
    pub exercises: Vec<Exercise>,
    pub notes: Vec<InterviewNote>,
    pub codebook: Vec<Code>,
    pub excerpts: Vec<Excerpt>,
    /// Names the quotes must lose (the team's known contacts).
    pub known_names: Vec<String>,
    pub meetings: Vec<(Meeting, Vec<Decision>)>,
    /// What each piece of evidence cites, in words, and whether its value changed since.
    pub evidence_views: Vec<crate::findings::EvidenceView>,
    /// The diagnostic's imports: the data the figures come from.
    pub imports: Vec<RawImport>,
    /// Each instrument's cleaning log: (instrument, log version, entries).
    pub cleaning: Vec<(String, String, usize)>,
    pub generated_on: time::Date,
}

/// The report's parts, in order: `(anchor, title key)`. The PDF's table of contents and
/// bookmarks follow the same headings.
const PARTS: [(&str, &str); 8] = [
    ("contexte", "report.part_context"),
    ("flux", "report.part_flows"),
    ("protection", "report.part_protection"),
    ("groupes", "report.part_groups"),
    ("services", "report.part_services"),
    ("constats", "report.part_findings"),
    ("perspectives", "report.part_perspectives"),
    ("annexes", "report.part_annexes"),
];

fn part(tr: Tr, index: usize) -> Markup {
    let (id, key) = PARTS[index];
    let number = if index + 1 < PARTS.len() {
        format!("{}. ", index + 1)
    } else {
        String::new()
    };
    html! { h2 id=(id) { (number) (tr.t(key)) } }
}

fn title(tr: Tr, a: &CommunityAnalysis) -> String {
    format!(
        "{} — {}",
        tr.t("report.analysis_title"),
        a.overview.community.name
    )
}

/// Where a piece of evidence's source stands in the report: its indicator in the annex, the
/// flows' part.
fn evidence_anchor(a: &CommunityAnalysis, e: &Evidence) -> Option<String> {
    match e.citation() {
        Some(Citation::Indicator { code, .. })
            if a.indicators.iter().any(|c| c.indicator.code == code) =>
        {
            Some(format!("#{code}"))
        }
        _ => (e.source_type == SourceType::FlowData).then(|| "#flux".to_owned()),
    }
}

fn statement(f: &Finding) -> &str {
    f.amended_statement.as_deref().unwrap_or(&f.statement)
}

/// The body below the title page: every part and the annexes.
pub fn body(tr: Tr, a: &CommunityAnalysis) -> Markup {
    let ov = &a.overview;
    let places = Place::all(&ov.localities);
    let flows = FlowAnalysis::of(&a.flow_counts);
    let flow_files: Vec<&str> = a
        .imports
        .iter()
        .filter(|i| a.flow_counts.iter().any(|c| c.import_id == Some(i.id)))
        .map(|i| i.file_name.as_str())
        .collect();
    let groups: Vec<GroupView<'_>> = group_views(&ov.groups, &a.indicators);
    let names: Vec<&str> = a.known_names.iter().map(String::as_str).collect();
    let confidence = |f: &Finding| {
        html! {
            span.note { (tr.t("findings.confidence")) " "
                (f.confidence.map_or(tr.t("findings.confidence_unset"), |c| tr.t(c.label_key()))) }
        }
    };
    html! {
        nav.toc aria-label=(tr.t("report.contents")) {
            h2 { (tr.t("report.contents")) }
            ol { @for (id, key) in PARTS { li { a href={"#" (id)} { (tr.t(key)) } } } }
        }

        (part(tr, 0))
        p { (ov.community.description) }
        @if !ov.community.selection_reason.is_empty() {
            p { (tr.t("community.selection_reason")) " : " (ov.community.selection_reason) }
        }
        (crate::overview::identity(tr, ov))
        (crate::overview::key_figures(tr, ov))
        (crate::overview::map(tr, ov))
        h3 { (tr.t("report.method")) }
        p { (tr.t("report.method_text")) }
        (sources_table(tr, a))

        (part(tr, 1))
        (crate::flows::section(tr, &flows))
        @if !flow_files.is_empty() {
            p.note { (tr.t("report.source")) " : " (flow_files.join(", ")) "." }
        }
        h3 { (tr.t("flows.survey")) }
        (crate::flows::survey_section(tr, &a.traveller_surveys))

        (part(tr, 2))
        (crate::protection::section(tr, &places, &a.risk_reports))
        (crate::protection::capacities(tr, &places, &a.capacities))

        (part(tr, 3))
        (crate::groups::section(tr, &ov.community.slug, &groups, ov.diagnostic.min_cell))

        (part(tr, 4))
        (demoted(crate::services::section(tr, &places, &ov.services, &a.risk_reports, Contacts::Hidden), 3))

        (part(tr, 5))
        p { (tr.t("findings.intro")) }
        (crate::findings::by_finding(tr, &ov.findings, &ov.evidence, &crate::findings::Sourced {
            views: &a.evidence_views,
            link: &|e| evidence_anchor(a, e),
            min_cell: ov.diagnostic.min_cell,
        }, confidence))

        (part(tr, 6))
        (perspectives(tr, a))

        (part(tr, 7))
        h3 id="annexe-indicateurs" { "A. " (tr.t("report.annex_indicators")) }
        p { (tr.t("indicators.intro")) }
        (demoted(crate::indicators::section(tr, &a.indicators.iter().map(|c| c.shown(Vec::new())).collect::<Vec<_>>(), ov.diagnostic.min_cell), 4))
        h3 id="annexe-exercices" { "B. " (tr.t("report.annex_exercises")) }
        @if a.exercises.is_empty() { p.note { (tr.t("exercises.none")) } }
        @for e in &a.exercises { (demoted(crate::exercises::exercise(tr, e), 4)) }
        h3 id="annexe-qualitatif" { "C. " (tr.t("report.annex_qualitative")) }
        (demoted(crate::qualitative::section(tr, &a.notes, &a.codebook, &a.excerpts, &names), 4))
        h3 id="annexe-sources" { "D. " (tr.t("report.annex_sources")) }
        (imports_table(tr, a))
        h3 id="annexe-limites" { "E. " (tr.t("report.annex_limits")) }
        p { (tr.with_n("report.limits_text", ov.diagnostic.min_cell)) }
        p.note {
            (tr.t("report.generated")) " " (format::date(tr, a.generated_on)) ". "
            (tr.t("report.personal_note")) " "
            (tr.with_n("report.small_cells_note", ov.diagnostic.min_cell))
        }
    }
}

/// A page's fragment set under a part of the report: its highest headings become `h{top}`,
/// the others follow (never below h5), so the contents and the bookmarks list the report's
/// own parts and sections, not every table's title.
fn demoted(fragment: Markup, top: u8) -> Markup {
    let mut html = fragment.into_string();
    let highest = (2..=5u8)
        .find(|l| html.contains(&format!("<h{l}")))
        .unwrap_or(top);
    if highest >= top {
        return maud::PreEscaped(html);
    }
    let shift = top - highest;
    // From the lowest level up, so that no heading is moved twice.
    for level in (highest..=5u8).rev() {
        let to = (level + shift).min(5);
        html = html
            .replace(&format!("<h{level}"), &format!("<h{to}"))
            .replace(&format!("</h{level}>"), &format!("</h{to}>"));
    }
    maud::PreEscaped(html)
}

/// What the meetings decided, when they have met; else the findings the meeting will be
/// asked to validate.
fn perspectives(tr: Tr, a: &CommunityAnalysis) -> Markup {
    let decided: Vec<&(Meeting, Vec<Decision>)> =
        a.meetings.iter().filter(|(_, d)| !d.is_empty()).collect();
    let pending: Vec<&Finding> = a
        .overview
        .findings
        .iter()
        .filter(|f| f.validation == ValidationStatus::Pending)
        .collect();
    html! {
        @if decided.is_empty() {
            p { (tr.t("report.perspectives_before")) }
        } @else {
            p { (tr.t("report.perspectives_after")) }
            @for (meeting, decisions) in decided {
                h3 { (meeting.title) " — " (format::date(tr, meeting.date)) ", " (meeting.place) }
                ul { @for d in decisions {
                    li { strong { (tr.t(d.kind.label_key())) } " : " (d.text) " (" (d.taken_by) ")" }
                } }
            }
        }
        @if !pending.is_empty() {
            h3 { (tr.t("report.to_validate")) }
            ul { @for f in pending { li { (statement(f)) } } }
        }
    }
}

/// The instruments and how their data were cleaned: the method's evidence.
fn sources_table(tr: Tr, a: &CommunityAnalysis) -> Markup {
    html! {
        @if !a.cleaning.is_empty() {
            div.table-wrap { table {
                caption { (tr.t("report.cleaning_caption")) }
                thead { tr {
                    th scope="col" { (tr.t("report.instrument")) }
                    th scope="col" { (tr.t("report.log_version")) }
                    th scope="col" class="num" { (tr.t("report.log_entries")) }
                } }
                tbody { @for (instrument, version, entries) in &a.cleaning { tr {
                    th scope="row" { (instrument) }
                    td { code { (version) } }
                    td.num { (format::integer(tr, *entries as i64)) }
                } } }
            } }
        }
    }
}

fn imports_table(tr: Tr, a: &CommunityAnalysis) -> Markup {
    html! {
        p { (tr.t("report.sources_text")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("imports.file")) }
                th scope="col" { (tr.t("imports.kind")) }
                th scope="col" class="num" { (tr.t("report.records")) }
                th scope="col" { (tr.t("report.imported_on")) }
                th scope="col" { "SHA-256" }
            } }
            tbody { @for i in &a.imports { tr {
                th scope="row" { (i.file_name) }
                td { (tr.t(i.kind.label_key())) }
                td.num { (format::integer(tr, i.record_count)) }
                td { (format::date(tr, i.imported_at.date())) }
                td { code { (&i.sha256[..12.min(i.sha256.len())]) } }
            } } }
        } }
    }
}

/// Each group beside the survey estimate of its size, when it names an indicator.
pub fn group_views<'a>(
    groups: &'a [SocioEconomicGroup],
    computed: &'a [Computed],
) -> Vec<GroupView<'a>> {
    groups
        .iter()
        .map(|group| {
            let survey = group.size_indicator.as_deref().and_then(|code| {
                let c = computed.iter().find(|c| c.indicator.code == code)?;
                Some(SurveySize {
                    code: &c.indicator.code,
                    label: &c.indicator.label,
                    kind: c.indicator.kind,
                    value: c
                        .values
                        .as_ref()
                        .ok()
                        .and_then(|values| values.iter().find(|v| v.by.is_none())),
                })
            });
            GroupView { group, survey }
        })
        .collect()
}

/// The report as a self-contained HTML file (inline CSS and SVG, links within the document).
pub fn report(tr: Tr, a: &CommunityAnalysis) -> String {
    let title = title(tr, a);
    let body = html! {
        (title_block(tr, &title, &a.overview.diagnostic, a.generated_on))
        (body(tr, a))
    };
    localise_links(&crate::html::document(
        tr,
        &title,
        a.overview.diagnostic.synthetic,
        body,
    ))
}

pub(crate) fn pdf_meta(
    tr: Tr,
    title: String,
    diagnostic: &sigida_core::diagnostic::Diagnostic,
    generated_on: time::Date,
    part_per_page: bool,
) -> crate::pdf::Meta {
    crate::pdf::Meta {
        title,
        subtitle: format!("{} · {}", diagnostic.name, diagnostic.programme),
        generated: format!(
            "{} {}.",
            tr.t("report.generated"),
            format::date(tr, generated_on)
        ),
        synthetic: diagnostic.synthetic.then(|| {
            format!(
                "{} — {}",
                tr.t("app.synthetic"),
                tr.t("report.synthetic_short")
            )
        }),
        part_per_page,
    }
}

/// The report as a PDF.
pub fn report_pdf(tr: Tr, a: &CommunityAnalysis) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let meta = pdf_meta(
        tr,
        title(tr, a),
        &a.overview.diagnostic,
        a.generated_on,
        true,
    );
    crate::pdf::render(tr, &meta, &body(tr, a).into_string())
}

/// The synthesis as a PDF.
pub fn synthesis_pdf(
    tr: Tr,
    communities: &[CommunityAnalysis],
    generated_on: time::Date,
) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let Some(first) = communities.first() else {
        return crate::pdf::render(
            tr,
            &crate::pdf::Meta {
                title: tr.t("report.synthesis_title").to_owned(),
                subtitle: String::new(),
                generated: String::new(),
                synthetic: None,
                part_per_page: false,
            },
            "",
        );
    };
    let diagnostic = &first.overview.diagnostic;
    let title = format!("{} — {}", tr.t("report.synthesis_title"), diagnostic.name);
    let meta = pdf_meta(tr, title, diagnostic, generated_on, false);
    crate::pdf::render(tr, &meta, &synthesis_body(tr, communities).into_string())
}

fn title_block(
    tr: Tr,
    title: &str,
    diagnostic: &sigida_core::diagnostic::Diagnostic,
    generated_on: time::Date,
) -> Markup {
    html! {
        header.report-title {
            p.note { (diagnostic.name) " · " (diagnostic.programme) }
            h1 { (title) }
            p.note { (tr.t("report.generated")) " " (format::date(tr, generated_on)) "." }
        }
    }
}

/// The synthesis across communities: key figures, indicators, protection and findings side by
/// side.
pub fn synthesis(tr: Tr, communities: &[CommunityAnalysis], generated_on: time::Date) -> String {
    let Some(first) = communities.first() else {
        return crate::html::document(tr, tr.t("report.synthesis_title"), false, html! {});
    };
    let diagnostic = &first.overview.diagnostic;
    let title = format!("{} — {}", tr.t("report.synthesis_title"), diagnostic.name);
    let body = html! {
        (title_block(tr, &title, diagnostic, generated_on))
        (synthesis_body(tr, communities))
    };
    localise_links(&crate::html::document(
        tr,
        &title,
        diagnostic.synthetic,
        body,
    ))
}

pub fn synthesis_body(tr: Tr, communities: &[CommunityAnalysis]) -> Markup {
    // Each community's grid once, not once per risk.
    let highest: Vec<Vec<Option<Severity>>> = communities.iter().map(highest_severities).collect();
    let min_cell = communities
        .first()
        .map_or(sigida_core::disclosure::DEFAULT_MIN_CELL, |a| {
            a.overview.diagnostic.min_cell
        });
    let codes: Vec<&Computed> = communities
        .first()
        .map(|a| a.indicators.iter().collect())
        .unwrap_or_default();
    html! {
        h2 id="communautes" { "1. " (tr.t("report.synthesis_communities")) }
        p { (tr.t("report.synthesis_intro")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("nav.communities")) }
                th scope="col" class="num" { (tr.t("overview.localities")) }
                th scope="col" class="num" { (tr.t("community.population")) }
                th scope="col" class="num" { (tr.t("flows.travellers")) }
                th scope="col" class="num" { (tr.t("overview.findings")) }
                th scope="col" class="num" { (tr.t("report.validated")) }
            } }
            tbody { @for a in communities {
                @let travellers: u64 = a.flow_counts.iter().map(|c| u64::from(c.travellers)).sum();
                tr {
                    th scope="row" { (a.overview.community.name) }
                    td.num { (a.overview.localities.len()) }
                    td.num { (format::integer(tr, a.overview.population())) }
                    td.num { (format::integer(tr, i64::try_from(travellers).unwrap_or(i64::MAX))) }
                    td.num { (a.overview.findings.len()) }
                    td.num { (a.overview.findings.iter().filter(|f| matches!(f.validation, ValidationStatus::Validated | ValidationStatus::Amended)).count()) }
                }
            } }
        } }

        h2 id="indicateurs" { "2. " (tr.t("report.synthesis_indicators")) }
        div.table-wrap { table {
            caption { (tr.t("report.synthesis_indicators_caption")) }
            thead { tr {
                th scope="col" { (tr.t("report.indicator")) }
                @for a in communities { th scope="col" class="num" { (a.overview.community.name) } }
            } }
            tbody { @for c in &codes {
                tr {
                    th scope="row" { (c.indicator.label) }
                    @for a in communities {
                        td.num { (overall(tr, a, &c.indicator.code)) }
                    }
                }
            } }
        } }

        h2 id="protection" { "3. " (tr.t("report.synthesis_protection")) }
        div.table-wrap { table {
            caption { (tr.t("report.synthesis_protection_caption")) }
            thead { tr {
                th scope="col" { (tr.t("protection.risk")) }
                @for a in communities { th scope="col" class="num" { (a.overview.community.name) } }
            } }
            tbody { @for (r, risk) in RiskType::ALL.iter().enumerate() {
                tr {
                    th scope="row" { (tr.t(risk.label_key())) }
                    @for highest in &highest {
                        td.num { (severity_text(tr, highest[r])) }
                    }
                }
            } }
        } }

        h2 id="constats" { "4. " (tr.t("report.synthesis_findings")) }
        @for a in communities {
            h3 { (a.overview.community.name) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("community.statement")) }
                    th scope="col" { (tr.t("community.convergence")) }
                    th scope="col" { (tr.t("findings.confidence")) }
                    th scope="col" { (tr.t("community.validation")) }
                } }
                tbody { @for f in &a.overview.findings {
                    @let t = convergence(a.overview.evidence.iter().filter(|e| e.finding_id == f.id));
                    tr {
                        td { (statement(f)) }
                        td { (t.convergence.map_or(tr.t("community.not_triangulated"), |c| tr.t(c.label_key())))
                             @if t.single_source_type { " · " (tr.t("community.single_source")) } }
                        td { (f.confidence.map_or(tr.t("findings.confidence_unset"), |c| tr.t(c.label_key()))) }
                        td { (tr.t(f.validation.label_key())) }
                    }
                } }
            } }
        }
        p.note { (tr.t("report.personal_note")) " " (tr.with_n("report.small_cells_note", min_cell)) }
    }
}

/// An indicator's community-wide value with its interval, or why it is not shown.
fn overall(tr: Tr, a: &CommunityAnalysis, code: &str) -> String {
    let Some(c) = a.indicators.iter().find(|c| c.indicator.code == code) else {
        return "—".to_owned();
    };
    let Some(v) = c
        .values
        .as_ref()
        .ok()
        .and_then(|values| values.iter().find(|v| v.by.is_none()))
    else {
        return "—".to_owned();
    };
    match publish((), v.n, a.overview.diagnostic.min_cell) {
        Cell::Shown(()) => format!(
            "{} {}",
            crate::indicators::value(tr, c.indicator.kind, v.estimate),
            crate::indicators::interval(tr, c.indicator.kind, v)
        ),
        Cell::Suppressed => tr.t("disclosure.suppressed_short").to_owned(),
    }
}

/// The highest severity of each risk (in `RiskType::ALL`'s order) over the community's
/// localities, `None` where no locality has it assessed.
fn highest_severities(a: &CommunityAnalysis) -> Vec<Option<Severity>> {
    let ids: Vec<_> = a.overview.localities.iter().map(|l| l.id).collect();
    let grid = severity_grid(&ids, RiskType::ALL, &a.risk_reports);
    (0..RiskType::ALL.len())
        .map(|r| {
            grid.iter()
                .filter_map(|row| row.get(r).and_then(|cell| cell.severity))
                .max()
        })
        .collect()
}

fn severity_text(tr: Tr, severity: Option<Severity>) -> String {
    severity.map_or_else(
        || tr.t("report.not_assessed").to_owned(),
        |s| format!("{} — {}", s.level(), tr.t(s.label_key())),
    )
}

/// Links of a report file stay inside it: a link to an analysis page's anchor becomes that
/// anchor in the document; a link elsewhere in the application keeps only its text.
pub fn localise_links(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<a href=\"/") {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let Some(tag_end) = tag.find('>') else {
            out.push_str(tag);
            return out;
        };
        let href_end = tag[9..].find('"').map_or(tag_end, |e| e + 9);
        let href = &tag[9..href_end];
        match href.split_once('#') {
            Some((_, anchor)) => {
                out.push_str("<a href=\"#");
                out.push_str(anchor);
                out.push_str(&tag[href_end..=tag_end]);
                rest = &tag[tag_end + 1..];
            }
            None => {
                // The text stays; the anchor and its closing tag go.
                let inner = &tag[tag_end + 1..];
                let close = inner.find("</a>").unwrap_or(inner.len());
                out.push_str(&inner[..close]);
                rest = inner.get(close + 4..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fragment_headings_move_under_the_part_that_holds_it() {
        let fragment = html! { h2 { "Carte" } h3 { "Détail" } p { "h2 dans le texte" } };
        assert_eq!(
            demoted(fragment, 3).into_string(),
            "<h3>Carte</h3><h4>Détail</h4><p>h2 dans le texte</p>"
        );
        assert_eq!(
            demoted(html! { h4 { "Déjà bas" } }, 3).into_string(),
            "<h4>Déjà bas</h4>"
        );
    }

    #[test]
    fn links_to_the_application_stay_in_the_document() {
        let html = "<p><a href=\"/communities/gao/indicators#hh_size\">Taille</a> et \
                    <a href=\"/communities/gao\">Gao</a> ; <a href=\"#flux\">flux</a></p>";
        assert_eq!(
            localise_links(html),
            "<p><a href=\"#hh_size\">Taille</a> et Gao ; <a href=\"#flux\">flux</a></p>"
        );
    }
}
