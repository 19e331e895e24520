//! Service providers and gaps: the 4W map, coverage of each locality by sector, the needs
//! found severe that no service answers, and the referral pathway of each type of case.

use maud::{Markup, html};
use sigida_core::actors::{Sector, ServiceProvider};
use sigida_core::protection::{RiskReport, RiskType, severity_grid};
use sigida_core::services::{NEED_FROM, coverage, gaps, referral_pathway};

use crate::overview::Contacts;
use crate::protection::Place;
use crate::{Tr, format};

/// The whole section below its title.
pub fn section(
    tr: Tr,
    places: &[Place<'_>],
    providers: &[ServiceProvider],
    reports: &[RiskReport],
    contacts: Contacts,
) -> Markup {
    let ids: Vec<_> = places.iter().map(|p| p.id).collect();
    let sectors = Sector::ALL;
    let grid = coverage(&ids, sectors, providers);
    let severities = severity_grid(&ids, RiskType::ALL, reports);
    let found = gaps(&ids, RiskType::ALL, &severities, providers);
    let name_of = |id| places.iter().find(|p| p.id == id).map_or("", |p| p.name);
    html! {
        h2 { (tr.t("services.map")) }
        @if providers.is_empty() { p.note { (tr.t("services.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("services.who")) }
                    th scope="col" { (tr.t("services.what")) }
                    th scope="col" { (tr.t("services.where")) }
                    th scope="col" { (tr.t("services.for_whom")) }
                    th scope="col" { (tr.t("services.capacity")) }
                    th scope="col" { (tr.t("services.cost")) }
                    th scope="col" { (tr.t("services.hours")) }
                    th scope="col" { (tr.t("services.referrals")) }
                    @if contacts == Contacts::Shown { th scope="col" { (tr.t("community.contact")) } }
                } }
                tbody { @for p in providers { tr {
                    th scope="row" { (p.organisation) }
                    td data-label=(tr.t("services.what")) { (tr.t(p.sector.label_key())) " — " (p.service) }
                    td data-label=(tr.t("services.where")) {
                        (p.locality_id.map_or(tr.t("services.whole_community"), name_of))
                    }
                    td data-label=(tr.t("services.for_whom")) { (p.target_groups) }
                    td.num data-label=(tr.t("services.capacity")) {
                        (p.capacity_per_month.map_or_else(|| "—".to_owned(), |c| format::integer(tr, c)))
                    }
                    td data-label=(tr.t("services.cost")) {
                        (tr.t(if p.free_of_charge { "services.free" } else { "services.paid" }))
                    }
                    td data-label=(tr.t("services.hours")) { (p.opening_hours) }
                    td data-label=(tr.t("services.referrals")) {
                        (tr.t(if p.accepts_referrals { "services.yes" } else { "services.no" }))
                    }
                    @if contacts == Contacts::Shown {
                        td data-label=(tr.t("community.contact")) { (p.contact_phone.expose()) }
                    }
                } } }
            } }
        }
        h2 { (tr.t("services.coverage")) }
        div.table-wrap { table.heat {
            caption { (tr.t("services.coverage_caption")) }
            thead { tr {
                th scope="col" { (tr.t("protection.locality")) }
                @for s in sectors { th scope="col" { (tr.t(s.label_key())) } }
            } }
            tbody { @for (place, row) in places.iter().zip(&grid) { tr {
                th scope="row" { (place.name) }
                @for c in row {
                    @if c.covered() {
                        td.covered title=(tr.t("services.providers")) { (c.providers) }
                    } @else {
                        td.uncovered title=(tr.t("services.no_provider")) { "0" }
                    }
                }
            } } }
        } }
        h2 { (tr.t("services.gaps")) }
        p.note { (tr.t("services.gaps_rule")) " (" (tr.t(NEED_FROM.label_key())) "). " (tr.t("services.gaps_legend")) }
        @if found.is_empty() { p { (tr.t("services.no_gap")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("protection.locality")) }
                    th scope="col" { (tr.t("protection.risk")) }
                    th scope="col" { (tr.t("protection.level")) }
                    th scope="col" { (tr.t("services.missing")) }
                } }
                tbody { @for g in &found { tr {
                    th scope="row" { (name_of(g.locality)) }
                    td data-label=(tr.t("protection.risk")) { (tr.t(g.risk.label_key())) }
                    td class={"num sev-" (g.severity.level())} data-label=(tr.t("protection.level")) { (g.severity.level()) }
                    td data-label=(tr.t("services.missing")) {
                        @for (i, m) in g.missing.iter().enumerate() {
                            @if i > 0 { ", " }
                            @if m.elsewhere {
                                (tr.t(m.sector.label_key())) " " span.note { (tr.t("services.elsewhere")) }
                            } @else {
                                strong { (tr.t(m.sector.label_key())) }
                            }
                        }
                    }
                } } }
            } }
        }
        h2 { (tr.t("services.pathways")) }
        p.note { (tr.t("services.pathways_note")) }
        @for case in RiskType::ALL {
            h3 { (tr.t(case.label_key())) }
            ol.pathway {
                @for step in referral_pathway(*case, providers) {
                    li {
                        strong { (tr.t(step.sector.label_key())) } " : "
                        @if step.providers.is_empty() {
                            span.tag.flag { (tr.t("services.break")) }
                        } @else {
                            @for (i, p) in step.providers.iter().enumerate() {
                                @if i > 0 { " ; " }
                                (p.organisation) " (" (p.service) ")"
                            }
                        }
                    }
                }
            }
        }
    }
}
