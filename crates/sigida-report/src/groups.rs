//! A community's socio-economic groups: what the community states of each (size,
//! vulnerabilities, priorities, representation) beside what the survey estimates of its size.

use maud::{Markup, html};
use sigida_core::actors::SocioEconomicGroup;
use sigida_core::disclosure::{Cell, publish};
use sigida_core::indicator::{IndicatorKind, IndicatorValue};

use crate::indicators::{interval, value};
use crate::{Tr, format};

/// The survey's estimate of a group's size: its indicator and the community-wide value.
pub struct SurveySize<'a> {
    pub code: &'a str,
    pub label: &'a str,
    pub kind: IndicatorKind,
    /// `None` when the indicator has no value for the community (no data yet).
    pub value: Option<&'a IndicatorValue>,
}

pub struct GroupView<'a> {
    pub group: &'a SocioEconomicGroup,
    pub survey: Option<SurveySize<'a>>,
}

fn survey_cell(tr: Tr, slug: &str, s: &SurveySize<'_>, min_cell: u64) -> Markup {
    html! {
        @match s.value.map(|v| (v, publish((), v.n, min_cell))) {
            None => { span.note { (tr.t("groups.no_estimate")) } }
            Some((_, Cell::Suppressed)) => { span.note { (tr.with_n("indicators.suppressed", min_cell)) } }
            Some((v, Cell::Shown(()))) => {
                strong { (value(tr, s.kind, v.estimate)) }
                " " span.note { (interval(tr, s.kind, v)) }
                br;
                a href={"/communities/" (slug) "/indicators#" (s.code)} { (s.label) }
                span.note { " (n = " (format::integer(tr, i64::try_from(v.n).unwrap_or(i64::MAX))) ")" }
            }
        }
    }
}

/// `min_cell`: the diagnostic's disclosure threshold.
pub fn section(tr: Tr, slug: &str, groups: &[GroupView<'_>], min_cell: u64) -> Markup {
    html! {
        p.note { (tr.t("groups.intro")) }
        @if groups.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("community.groups")) }
                    th scope="col" class="num" { (tr.t("groups.stated_size")) }
                    th scope="col" { (tr.t("groups.survey_size")) }
                    th scope="col" { (tr.t("community.vulnerabilities")) }
                    th scope="col" { (tr.t("community.priorities")) }
                    th scope="col" { (tr.t("community.representation")) }
                } }
                tbody { @for view in groups {
                    @let g = view.group;
                    tr {
                        th scope="row" {
                            (g.name)
                            @if tr.t(g.kind.label_key()) != g.name { br; span.tag { (tr.t(g.kind.label_key())) } }
                        }
                        td.num data-label=(tr.t("groups.stated_size")) {
                            @match g.size_estimate {
                                Some(size) => (format::integer(tr, size)),
                                None => "—",
                            }
                        }
                        td data-label=(tr.t("groups.survey_size")) {
                            @match &view.survey {
                                Some(s) => (survey_cell(tr, slug, s, min_cell)),
                                None => span.note { (tr.t("groups.not_surveyed")) },
                            }
                        }
                        td data-label=(tr.t("community.vulnerabilities")) { (g.vulnerabilities) }
                        td data-label=(tr.t("community.priorities")) { (g.priorities) }
                        td data-label=(tr.t("community.representation")) { (g.representation) }
                    }
                } }
            } }
            p.note { (tr.with_n("groups.sizes_note", min_cell)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use sigida_core::Id;
    use sigida_core::actors::GroupKind;
    use sigida_core::indicator::Provenance;

    use super::*;
    use crate::Lang;

    fn group() -> SocioEconomicGroup {
        SocioEconomicGroup {
            id: Id::new(),
            community_id: Id::new(),
            kind: GroupKind::Returnees,
            name: "Rapatriés".into(),
            size_estimate: Some(1200),
            size_indicator: Some("hh_count_returnee".into()),
            vulnerabilities: String::new(),
            priorities: String::new(),
            representation: String::new(),
        }
    }

    fn estimate(n: u64) -> IndicatorValue {
        IndicatorValue {
            indicator_id: Id::new(),
            community_id: Id::new(),
            by: None,
            estimate: 312.4,
            se: 40.0,
            ci_low: 234.0,
            ci_high: 390.8,
            n,
            provenance: Provenance {
                imports: vec![],
                log_version: "0-x".into(),
                method: "taylor:srs".into(),
            },
            computed_at: sigida_core::Timestamp::from_datetime(time::OffsetDateTime::UNIX_EPOCH),
        }
    }

    /// The section for a group whose survey estimate rests on `n` households.
    fn page(n: u64, min_cell: u64) -> String {
        let g = group();
        let v = estimate(n);
        let views = [GroupView {
            group: &g,
            survey: Some(SurveySize {
                code: "hh_count_returnee",
                label: "Ménages rapatriés (nombre estimé)",
                kind: IndicatorKind::Total,
                value: Some(&v),
            }),
        }];
        section(Tr::new(Lang::Fr), "gao", &views, min_cell).into_string()
    }

    #[test]
    fn the_survey_estimate_stands_beside_the_stated_size_with_its_interval() {
        let page = page(120, 5);
        assert!(page.contains("1\u{202f}200"), "the stated size: {page}");
        assert!(page.contains("<strong>312</strong>"), "{page}");
        assert!(page.contains("[234 – 391]"), "{page}");
        assert!(page.contains("/communities/gao/indicators#hh_count_returnee"));
    }

    #[test]
    fn the_threshold_is_the_diagnostics() {
        let page = page(8, 10);
        assert!(
            !page.contains("312"),
            "8 households under a threshold of 10"
        );
        assert!(page.contains("moins de 10 répondants"), "{page}");
        assert!(
            page.contains("moins de 10 ménages"),
            "the note says the threshold"
        );
    }

    #[test]
    fn an_estimate_on_fewer_than_five_households_is_not_published() {
        let page = page(4, 5);
        assert!(!page.contains("312"), "{page}");
        assert!(page.contains(&Tr::new(Lang::Fr).with_n("indicators.suppressed", 5)));
    }
}
