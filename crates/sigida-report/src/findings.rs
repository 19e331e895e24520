//! Findings and their evidence, both ways: from each finding to the evidence it rests on (with
//! its computed convergence and the single-source flag), and from each source to the
//! findings that cite it.

use std::collections::BTreeMap;

use maud::{Markup, html};
use sigida_core::finding::{Evidence, Finding, SourceType, convergence};

use crate::Tr;

/// The anchor of a finding on the findings page.
pub fn anchor(finding: &Finding) -> String {
    format!("constat-{}", finding.id)
}

/// The statement a finding now carries (the amended wording when a meeting changed it).
fn statement(f: &Finding) -> &str {
    f.amended_statement.as_deref().unwrap_or(&f.statement)
}

/// From each finding to its evidence. `link` gives a page for a piece of evidence when Sigida
/// holds its source (an indicator, the flows); `confidence` renders the analyst's confidence
/// (a form for those who may set it).
pub fn by_finding(
    tr: Tr,
    findings: &[Finding],
    evidence: &[Evidence],
    link: impl Fn(&Evidence) -> Option<String>,
    confidence: impl Fn(&Finding) -> Markup,
) -> Markup {
    html! {
        @if findings.is_empty() { p.note { (tr.t("community.none")) } }
        @for f in findings {
            @let mine: Vec<&Evidence> = evidence.iter().filter(|e| e.finding_id == f.id).collect();
            @let t = convergence(mine.iter().copied());
            article.finding id=(anchor(f)) {
                p.note { (tr.t(f.theme.label_key())) " · " (tr.t(f.validation.label_key())) }
                h3 { (statement(f)) }
                @if f.amended_statement.is_some() {
                    p.note { (tr.t("findings.original")) " « " (f.statement) " »" }
                }
                p {
                    @match t.convergence {
                        Some(level) => span class={"tag " (level.code())} { (tr.t(level.label_key())) },
                        None => span.tag { (tr.t("community.not_triangulated")) },
                    }
                    @if t.single_source_type { " " span.tag.flag { (tr.t("community.single_source")) } }
                    " " (confidence(f))
                }
                @if t.single_source_type { p.note { (tr.t("findings.single_source_note")) } }
                @if !mine.is_empty() {
                    div.table-wrap { table.stack {
                        thead { tr {
                            th scope="col" { (tr.t("findings.source")) }
                            th scope="col" { (tr.t("findings.stance")) }
                            th scope="col" { (tr.t("findings.says")) }
                            th scope="col" { (tr.t("findings.reference")) }
                        } }
                        tbody { @for e in &mine { tr {
                            th scope="row" { (tr.t(e.source_type.label_key())) }
                            td data-label=(tr.t("findings.stance")) { (tr.t(e.stance.label_key())) }
                            td data-label=(tr.t("findings.says")) { (e.summary) }
                            td data-label=(tr.t("findings.reference")) {
                                @match link(e) {
                                    Some(href) => a href=(href) { code { (e.reference) } },
                                    None => code { (e.reference) },
                                }
                            }
                        } } }
                    } }
                }
            }
        }
    }
}

/// From each source (a type and a reference) to the findings that cite it.
pub fn by_source(
    tr: Tr,
    findings: &[Finding],
    evidence: &[Evidence],
    link: impl Fn(&Evidence) -> Option<String>,
) -> Markup {
    let mut sources: BTreeMap<(SourceType, &str), Vec<&Evidence>> = BTreeMap::new();
    for e in evidence {
        sources
            .entry((e.source_type, e.reference.as_str()))
            .or_default()
            .push(e);
    }
    html! {
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("findings.source")) }
                th scope="col" { (tr.t("findings.reference")) }
                th scope="col" { (tr.t("findings.cited_by")) }
            } }
            tbody { @for ((source, reference), cited) in &sources { tr {
                th scope="row" { (tr.t(source.label_key())) }
                td data-label=(tr.t("findings.reference")) {
                    @match link(cited[0]) {
                        Some(href) => a href=(href) { code { (reference) } },
                        None => code { (reference) },
                    }
                }
                td data-label=(tr.t("findings.cited_by")) { ul.plain {
                    @for e in cited {
                        @if let Some(f) = findings.iter().find(|f| f.id == e.finding_id) {
                            li {
                                a href={"#" (anchor(f))} { (statement(f)) }
                                " (" (tr.t(e.stance.label_key())) ")"
                            }
                        }
                    }
                } }
            } } }
        } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use sigida_core::Id;
    use sigida_core::finding::{Stance, Theme, ValidationStatus};

    fn finding(statement: &str) -> Finding {
        Finding {
            id: Id::new(),
            community_id: Id::new(),
            theme: Theme::Migration,
            statement: statement.into(),
            confidence: None,
            validation: ValidationStatus::Pending,
            amended_statement: None,
            created_at: sigida_core::Timestamp::parse("2026-02-01T10:00:00Z").unwrap(),
        }
    }

    fn evidence(f: &Finding, source_type: SourceType, reference: &str) -> Evidence {
        Evidence {
            id: Id::new(),
            finding_id: f.id,
            source_type,
            stance: Stance::Supports,
            summary: "dit".into(),
            reference: reference.into(),
        }
    }

    #[test]
    fn a_source_lists_every_finding_that_cites_it_and_links_where_sigida_holds_it() {
        let (a, b) = (
            finding("Les départs augmentent"),
            finding("Les jeunes partent"),
        );
        let evidence = [
            evidence(&a, SourceType::SurveyIndicator, "hh_intends_to_migrate"),
            evidence(&b, SourceType::SurveyIndicator, "hh_intends_to_migrate"),
            evidence(&b, SourceType::KeyInformant, "KII-03"),
        ];
        let link = |e: &Evidence| {
            (e.source_type == SourceType::SurveyIndicator)
                .then(|| format!("/communities/diboli/indicators#{}", e.reference))
        };
        let tr = Tr::new(Lang::Fr);
        let page = by_source(tr, &[a.clone(), b.clone()], &evidence, link).into_string();
        let row = page
            .split("<tr>")
            .find(|r| r.contains("hh_intends_to_migrate"))
            .unwrap();
        assert!(
            row.contains("Les départs augmentent") && row.contains("Les jeunes partent"),
            "{row}"
        );
        assert!(row.contains("href=\"/communities/diboli/indicators#hh_intends_to_migrate\""));
        let page = by_finding(tr, &[a, b], &evidence, link, |_| html! {}).into_string();
        // One source type only for the first finding: flagged.
        assert_eq!(
            page.matches(tr.t("community.single_source")).count(),
            1,
            "{page}"
        );
    }
}
