//! Findings and their evidence, both ways: from each finding to the evidence it rests on (with
//! its computed convergence and the single-source flag), and from each source to the
//! findings that cite it.

use std::collections::BTreeMap;

use maud::{Markup, html};
use sigida_core::Id;
use sigida_core::citation::{CitedValue, Freshness};
use sigida_core::finding::{Evidence, Finding, SourceType, convergence};

use crate::Tr;

/// What a cited source says, in words: `42,3 % [38,1 – 46,5] (n = 312)`; an estimate on fewer
/// than `min_cell` respondents is not published.
pub fn cited_value(tr: Tr, value: &CitedValue, min_cell: u64) -> String {
    use crate::format;
    match value {
        CitedValue::Estimate {
            measure,
            estimate,
            low,
            high,
            n,
        } => {
            if *n < min_cell {
                return tr.with_n("indicators.suppressed", min_cell);
            }
            format!(
                "{} {} (n = {})",
                crate::indicators::value(tr, *measure, *estimate),
                crate::indicators::interval_of(tr, *measure, *low, *high),
                format::integer(tr, *n as i64)
            )
        }
        CitedValue::Flow {
            travellers,
            women_children,
        } => tr.fill(
            "citation.flow_value",
            &[
                ("travellers", format::integer(tr, *travellers as i64)),
                ("share", format::percent(tr, *women_children)),
            ],
        ),
        CitedValue::Excerpts { excerpts, notes } => tr.fill(
            "citation.excerpts_value",
            &[
                ("excerpts", excerpts.to_string()),
                ("notes", notes.to_string()),
            ],
        ),
        CitedValue::Exercise { title, held_on } => format!("{title} ({held_on})"),
        CitedValue::Services {
            in_locality,
            in_community,
        } => tr.fill(
            "citation.services_value",
            &[
                ("here", in_locality.to_string()),
                ("community", in_community.to_string()),
            ],
        ),
        CitedValue::Risk {
            observed_on,
            prevalence,
            incidents,
            present,
        } => {
            let mut parts = vec![
                tr.t(if *present {
                    "citation.risk_present"
                } else {
                    "citation.risk_absent"
                })
                .to_owned(),
            ];
            if prevalence.is_some() {
                parts.push(format::percent(tr, *prevalence));
            }
            if let Some(cases) = incidents {
                parts.push(tr.with_n("citation.risk_cases", u64::from(*cases)));
            }
            format!("{} ({observed_on})", parts.join(", "))
        }
        CitedValue::Document {
            title,
            publisher,
            published_on,
        } => match published_on {
            Some(date) => format!("{title}, {publisher}, {date}"),
            None => format!("{title}, {publisher}"),
        },
    }
}

/// What a page shows of a piece of evidence's source: its name in words and how its value
/// stands against the value cited.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceView {
    pub evidence: Id<Evidence>,
    pub label: String,
    pub freshness: Freshness,
}

/// What the findings' tables show of each piece of evidence beyond itself: its view, where
/// Sigida holds its source (`link`), and the small-cell threshold its figures obey.
pub struct Sourced<'a> {
    pub views: &'a [EvidenceView],
    pub link: &'a (dyn Fn(&Evidence) -> Option<String> + Sync),
    pub min_cell: u64,
}

impl Sourced<'_> {
    fn view(&self, e: &Evidence) -> Option<&EvidenceView> {
        self.views.iter().find(|v| v.evidence == e.id)
    }

    fn label<'a>(&'a self, e: &'a Evidence) -> &'a str {
        self.view(e)
            .map_or(e.reference.as_str(), |v| v.label.as_str())
    }

    fn changed(&self, e: &Evidence) -> bool {
        self.view(e).is_some_and(|v| {
            matches!(
                v.freshness,
                Freshness::Changed { .. } | Freshness::Gone { .. }
            )
        })
    }

    /// The source's name, linked where Sigida holds it.
    fn source(&self, e: &Evidence) -> Markup {
        html! {
            @match (self.link)(e) {
                Some(href) => a href=(href) { (self.label(e)) },
                None => (self.label(e)),
            }
        }
    }

    /// What the source says now, and what it said when cited if that changed.
    fn value(&self, tr: Tr, e: &Evidence) -> Markup {
        let freshness = self.view(e).map(|v| &v.freshness);
        let shown = freshness.map_or(e.cited.as_ref(), |f| f.shown(e.cited.as_ref()));
        html! {
            @if let Some(v) = shown { (cited_value(tr, v, self.min_cell)) }
            @match freshness {
                Some(Freshness::Changed { was, .. }) => {
                    " " span.tag.flag { (tr.t("citation.changed")) }
                    br; span.note { (tr.t("citation.was")) " " (cited_value(tr, was, self.min_cell)) }
                }
                Some(Freshness::Gone { .. }) => {
                    " " span.tag.flag { (tr.t("citation.gone")) }
                }
                _ => {}
            }
        }
    }
}

/// How many pieces of evidence cite a value that changed (or a source that is gone) since.
pub fn changed_count(views: &[EvidenceView]) -> usize {
    views
        .iter()
        .filter(|v| {
            matches!(
                v.freshness,
                Freshness::Changed { .. } | Freshness::Gone { .. }
            )
        })
        .count()
}

/// The anchor of a finding on the findings page.
pub fn anchor(finding: &Finding) -> String {
    format!("constat-{}", finding.id)
}

/// The statement a finding now carries (the amended wording when a meeting changed it).
fn statement(f: &Finding) -> &str {
    f.amended_statement.as_deref().unwrap_or(&f.statement)
}

/// From each finding to its evidence, each with its source and its value (flagged when it
/// changed since it was cited); `confidence` renders the analyst's confidence (a form for
/// those who may set it) and what else the page offers for the finding.
pub fn by_finding(
    tr: Tr,
    findings: &[Finding],
    evidence: &[Evidence],
    sourced: &Sourced<'_>,
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
                p { (triangulation(tr, &mine)) " " (confidence(f)) }
                @if t.single_source_type { p.note { (tr.t("findings.single_source_note")) } }
                @if mine.iter().any(|e| sourced.changed(e)) {
                    p.alert role="status" { (tr.t("citation.reread")) }
                }
                (evidence_table(tr, &mine, sourced))
            }
        }
    }
}

/// A finding's convergence, computed from its evidence, and the single-source flag.
pub fn triangulation(tr: Tr, evidence: &[&Evidence]) -> Markup {
    let t = convergence(evidence.iter().copied());
    html! {
        @match t.convergence {
            Some(level) => span class={"tag " (level.code())} { (tr.t(level.label_key())) },
            None => span.tag { (tr.t("community.not_triangulated")) },
        }
        @if t.single_source_type { " " span.tag.flag { (tr.t("community.single_source")) } }
    }
}

/// A finding's evidence: its kind of source, stance, what it says, the source (linked where
/// Sigida holds it) and the value it cites.
pub fn evidence_table(tr: Tr, evidence: &[&Evidence], sourced: &Sourced<'_>) -> Markup {
    html! {
        @if !evidence.is_empty() {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("findings.source")) }
                    th scope="col" { (tr.t("findings.stance")) }
                    th scope="col" { (tr.t("findings.says")) }
                    th scope="col" { (tr.t("findings.reference")) }
                    th scope="col" { (tr.t("citation.value")) }
                } }
                tbody { @for e in evidence { tr {
                    th scope="row" { (tr.t(e.source_type.label_key())) }
                    td data-label=(tr.t("findings.stance")) { (tr.t(e.stance.label_key())) }
                    td data-label=(tr.t("findings.says")) { (e.summary) }
                    td data-label=(tr.t("findings.reference")) { (sourced.source(e)) }
                    td data-label=(tr.t("citation.value")) { (sourced.value(tr, e)) }
                } } }
            } }
        }
    }
}

/// From each source (a type and a reference) to the findings that cite it.
pub fn by_source(
    tr: Tr,
    findings: &[Finding],
    evidence: &[Evidence],
    sourced: &Sourced<'_>,
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
            tbody { @for ((source, _), cited) in &sources { tr {
                th scope="row" { (tr.t(source.label_key())) }
                td data-label=(tr.t("findings.reference")) { (sourced.source(cited[0])) }
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
            localities: Vec::new(),
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
            cited: None,
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
        let sourced = Sourced {
            views: &[],
            link: &link,
            min_cell: 5,
        };
        let tr = Tr::new(Lang::Fr);
        let page = by_source(tr, &[a.clone(), b.clone()], &evidence, &sourced).into_string();
        let row = page
            .split("<tr>")
            .find(|r| r.contains("hh_intends_to_migrate"))
            .unwrap();
        assert!(
            row.contains("Les départs augmentent") && row.contains("Les jeunes partent"),
            "{row}"
        );
        assert!(row.contains("href=\"/communities/diboli/indicators#hh_intends_to_migrate\""));
        let page = by_finding(tr, &[a, b], &evidence, &sourced, |_| html! {}).into_string();
        // One source type only for the first finding: flagged.
        assert_eq!(
            page.matches(tr.t("community.single_source")).count(),
            1,
            "{page}"
        );
    }
}
