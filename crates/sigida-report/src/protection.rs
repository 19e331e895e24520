//! Protection and security challenges of a community: the severity heat map (localities ×
//! risks), the rules that make it, and the reports it rests on.

use maud::{Markup, html};
use sigida_core::protection::{
    Assessment, Capacity, ReportOrigin, RiskReport, RiskType, Severity, severity_grid,
};

use crate::{Tr, format};

/// A locality as the section names it.
pub struct Place<'a> {
    pub id: sigida_core::Id<sigida_core::geography::Locality>,
    pub name: &'a str,
}

impl<'a> Place<'a> {
    pub fn all(localities: &'a [sigida_core::geography::Locality]) -> Vec<Place<'a>> {
        localities
            .iter()
            .map(|l| Place {
                id: l.id,
                name: &l.name,
            })
            .collect()
    }
}

/// The stylesheet class of a level (`sev-1` … `sev-5`, `sev-na` for "not assessed"): pages
/// allow no inline style.
fn class(severity: Option<Severity>) -> String {
    severity.map_or_else(|| "sev-na".to_owned(), |s| format!("sev-{}", s.level()))
}

fn cell(tr: Tr, a: &Assessment) -> Markup {
    html! {
        @match a.severity {
            None => td class=(class(None)) title=(tr.t("protection.not_assessed")) { (tr.t("protection.not_assessed_short")) },
            Some(s) => td class=(class(Some(s))) title=(tr.t(s.label_key())) {
                strong { (s.level()) }
                @if a.uncorroborated.is_some() { sup { "*" } }
            },
        }
    }
}

/// The section below its title: heat map, legend and rules, then every report.
pub fn section(tr: Tr, places: &[Place<'_>], reports: &[RiskReport]) -> Markup {
    let risks = RiskType::ALL;
    let ids: Vec<_> = places.iter().map(|p| p.id).collect();
    let grid = severity_grid(&ids, risks, reports);
    let held_back = grid.iter().flatten().any(|a| a.uncorroborated.is_some());
    html! {
        h3 { (tr.t("protection.heat_map")) }
        div.table-wrap {
            table.heat {
                caption { (tr.t("protection.heat_caption")) }
                thead { tr {
                    th scope="col" { (tr.t("protection.locality")) }
                    @for risk in risks { th scope="col" { (tr.t(risk.label_key())) } }
                } }
                tbody {
                    @for (place, row) in places.iter().zip(&grid) {
                        tr {
                            th scope="row" { (place.name) }
                            @for a in row { (cell(tr, a)) }
                        }
                    }
                }
            }
        }
        p.note {
            @for s in Severity::ALL {
                span class={"swatch " (class(Some(*s)))} { (tr.t(s.label_key())) }
                " "
            }
            span class={"swatch " (class(None))} { (tr.t("protection.not_assessed")) }
        }
        @if held_back { p.note { "* " (tr.t("protection.held_back")) } }
        h3 { (tr.t("protection.rules")) }
        ol.rules {
            li { (tr.t("protection.rule_1")) }
            li { (tr.t("protection.rule_2")) }
            li { (tr.t("protection.rule_3")) }
        }
        h3 { (tr.t("protection.reports")) }
        @if reports.is_empty() {
            p.note { (tr.t("protection.no_reports")) }
        }
        // One fold per locality: a community easily has a hundred reports.
        @for place in places {
            @let mine: Vec<&RiskReport> = reports.iter().filter(|r| r.locality_id == place.id).collect();
            @if !mine.is_empty() {
                details {
                    summary { (place.name) " — " (mine.len()) " " (tr.t("protection.reports_of")) }
                    (report_table(tr, &mine))
                }
            }
        }
    }
}

/// Where a report comes from, in words: entered, or derived from an indicator or a code.
pub fn origin(tr: Tr, origin: &ReportOrigin) -> String {
    match origin {
        ReportOrigin::Entered => tr.t("protection.origin_entered").to_owned(),
        ReportOrigin::Indicator(code) => tr.fill("protection.origin_indicator", &[("code", code)]),
        ReportOrigin::Code { code, note } => {
            tr.fill("protection.origin_code", &[("code", code), ("note", note)])
        }
    }
}

fn report_table(tr: Tr, reports: &[&RiskReport]) -> Markup {
    html! {
        div.table-wrap {
            table.stack {
                thead { tr {
                    th scope="col" { (tr.t("protection.risk")) }
                    th scope="col" { (tr.t("protection.source")) }
                    th scope="col" { (tr.t("protection.date")) }
                    th scope="col" { (tr.t("protection.share")) }
                    th scope="col" { (tr.t("protection.cases")) }
                    th scope="col" { (tr.t("protection.level")) }
                    th scope="col" { (tr.t("protection.note")) }
                    th scope="col" { (tr.t("protection.origin")) }
                } }
                tbody {
                    @for r in reports {
                        tr {
                            th scope="row" { (tr.t(r.risk.label_key())) }
                            td data-label=(tr.t("protection.source")) { (tr.t(r.source.label_key())) }
                            td data-label=(tr.t("protection.date")) { (format::date(tr, r.observed_on)) }
                            td.num data-label=(tr.t("protection.share")) { (format::percent(tr, r.prevalence)) }
                            td.num data-label=(tr.t("protection.cases")) {
                                (r.incidents.map_or_else(|| "—".to_owned(), |n| format::integer(tr, i64::from(n))))
                            }
                            td.num data-label=(tr.t("protection.level")) { (r.severity().level()) }
                            td data-label=(tr.t("protection.note")) { (r.note) }
                            td data-label=(tr.t("protection.origin")) { (origin(tr, &r.origin)) }
                        }
                    }
                }
            }
        }
    }
}

/// The community's capacities and opportunities, and the risks each answers.
pub fn capacities(tr: Tr, places: &[Place<'_>], list: &[Capacity]) -> Markup {
    let name_of = |id| places.iter().find(|p| p.id == id).map_or("", |p| p.name);
    html! {
        h3 { (tr.t("protection.capacities")) }
        p.note { (tr.t("protection.capacities_note")) }
        @if list.is_empty() { p.note { (tr.t("protection.no_capacities")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("protection.capacity_name")) }
                    th scope="col" { (tr.t("protection.capacity_kind")) }
                    th scope="col" { (tr.t("protection.locality")) }
                    th scope="col" { (tr.t("protection.capacity_risks")) }
                    th scope="col" { (tr.t("protection.capacity_description")) }
                } }
                tbody { @for c in list { tr {
                    th scope="row" { (c.name) }
                    td data-label=(tr.t("protection.capacity_kind")) { (tr.t(c.kind.label_key())) }
                    td data-label=(tr.t("protection.locality")) {
                        (c.locality_id.map_or(tr.t("protection.whole_community"), name_of))
                    }
                    td data-label=(tr.t("protection.capacity_risks")) {
                        @for (i, r) in c.risks.iter().enumerate() { @if i > 0 { ", " } (tr.t(r.label_key())) }
                    }
                    td data-label=(tr.t("protection.capacity_description")) { (c.description) }
                } } }
            } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use sigida_core::Id;
    use sigida_core::finding::SourceType;

    #[test]
    fn a_locality_without_reports_reads_not_assessed() {
        let (here, there) = (Id::new(), Id::new());
        let report = RiskReport {
            id: Id::new(),
            community_id: Id::new(),
            locality_id: here,
            risk: RiskType::ArmedRecruitment,
            source: SourceType::KeyInformant,
            observed_on: time::macros::date!(2026 - 02 - 01),
            prevalence: Some(0.6),
            incidents: None,
            present: true,
            note: "Des jeunes approchés au marché".into(),
            origin: Default::default(),
        };
        let places = [
            Place {
                id: here,
                name: "Château",
            },
            Place {
                id: there,
                name: "Sosso Koïra",
            },
        ];
        let tr = Tr::new(Lang::Fr);
        let page = section(tr, &places, &[report]).into_string();
        let not_assessed = tr.t("protection.not_assessed_short");
        // 7 risks × 2 localities, one assessed.
        assert_eq!(
            page.matches(&format!(">{not_assessed}</td>")).count(),
            13,
            "{page}"
        );
        assert!(
            page.contains("<strong>3</strong><sup>*</sup>"),
            "one source stops at 3: {page}"
        );
        assert!(page.contains(tr.t("protection.rule_3")));
    }
}
