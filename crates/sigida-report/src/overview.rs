//! The community overview: who and what is in a community, from the diagnostic's registers.
//! Its sections make the web page and open the analysis report; only the web page, for a role
//! allowed to, shows contacts.

use std::collections::BTreeMap;

use maud::{Markup, html};
use sigida_core::actors::{Sector, ServiceProvider, SocioEconomicGroup, Stakeholder};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::{Evidence, Finding, convergence};
use sigida_core::geography::Locality;

use crate::map::{MapPoint, PointKind, points_map};
use crate::{Tr, format};

/// Everything the overview shows, gathered by the caller.
#[derive(Clone, Debug)]
pub struct CommunityOverview {
    pub diagnostic: Diagnostic,
    pub community: Community,
    pub region_name: Option<String>,
    pub cercle_name: Option<String>,
    pub localities: Vec<Locality>,
    pub groups: Vec<SocioEconomicGroup>,
    pub stakeholders: Vec<Stakeholder>,
    pub services: Vec<ServiceProvider>,
    pub findings: Vec<Finding>,
    pub evidence: Vec<Evidence>,
}

/// Whether contacts (personal data) are shown. Only the web layer, after the role check and
/// the audit entry, may ask for `Shown`; reports always hide them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contacts {
    Hidden,
    Shown,
}

impl CommunityOverview {
    pub fn population(&self) -> i64 {
        self.localities.iter().filter_map(|l| l.population).sum()
    }

    fn map_points(&self) -> Vec<MapPoint> {
        let localities = self.localities.iter().filter_map(|l| {
            Some(MapPoint {
                label: l.name.clone(),
                latitude: l.latitude?,
                longitude: l.longitude?,
                kind: PointKind::Locality,
            })
        });
        let services = self.services.iter().filter_map(|s| {
            Some(MapPoint {
                label: format!("{} — {}", s.organisation, s.service),
                latitude: s.latitude?,
                longitude: s.longitude?,
                kind: PointKind::Service,
            })
        });
        localities.chain(services).collect()
    }
}

fn yes_no(tr: Tr, value: bool) -> &'static str {
    tr.t(if value {
        "community.yes"
    } else {
        "community.no"
    })
}

fn optional_integer(tr: Tr, value: Option<i64>) -> String {
    value.map_or_else(
        || tr.t("community.unknown").to_owned(),
        |v| format::integer(tr, v),
    )
}

/// Key figures of a community, as cards.
pub fn key_figures(tr: Tr, ov: &CommunityOverview) -> Markup {
    let cards = [
        (ov.localities.len() as i64, "overview.localities"),
        (ov.population(), "community.population"),
        (ov.groups.len() as i64, "overview.groups"),
        (ov.stakeholders.len() as i64, "overview.stakeholders"),
        (ov.services.len() as i64, "overview.services"),
        (ov.findings.len() as i64, "overview.findings"),
    ];
    html! {
        div.cards {
            @for (value, key) in cards {
                div.card { span.figure { (format::integer(tr, value)) } span.label { (tr.t(key)) } }
            }
        }
    }
}

/// Region, cercle (with P-codes and their COD version) and coordinates.
pub fn identity(tr: Tr, ov: &CommunityOverview) -> Markup {
    let c = &ov.community;
    html! {
        dl.identity {
            dt { (tr.t("community.region")) }
            dd { (ov.region_name.as_deref().unwrap_or("")) " (" (c.region_pcode) ")" }
            dt { (tr.t("community.cercle")) }
            dd { (ov.cercle_name.as_deref().unwrap_or("")) " (" (c.cercle_pcode) ")" }
            dt { (tr.t("community.cod_version")) }
            dd { (c.cod_version) }
            @if let (Some(lat), Some(lon)) = (c.latitude, c.longitude) {
                dt { (tr.t("community.coordinates")) }
                dd { (format::coordinates(tr, lat, lon)) }
            }
        }
    }
}

/// The map of the community's localities and service points, drawn from their coordinates.
pub fn map(tr: Tr, ov: &CommunityOverview) -> Markup {
    let map_title = format!("{} — {}", tr.t("community.map"), ov.community.name);
    html! {
        @if let Some(map) = points_map(tr, &map_title, &ov.map_points()) {
            figure {
                (map)
                figcaption { (tr.t("community.map_alt")) ". " (tr.t("report.source")) " : " (tr.t("report.source_register")) "." }
            }
        }
    }
}

/// Every section of the overview below the title.
pub fn sections(tr: Tr, ov: &CommunityOverview, contacts: Contacts) -> Markup {
    let mut by_sector: BTreeMap<Sector, (usize, i64)> = BTreeMap::new();
    for s in &ov.services {
        let entry = by_sector.entry(s.sector).or_default();
        entry.0 += 1;
        entry.1 += s.capacity_per_month.unwrap_or(0);
    }
    html! {
        (key_figures(tr, ov))
        p { (ov.community.description) }
        @if !ov.community.selection_reason.is_empty() {
            p { strong { (tr.t("community.selection_reason")) " : " } (ov.community.selection_reason) }
        }
        (map(tr, ov))

        h2 id="localites" { (tr.t("community.localities")) }
        @if ov.localities.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("community.localities")) }
                    th scope="col" { (tr.t("community.locality_kind")) }
                    th scope="col" class="num" { (tr.t("community.population")) }
                    th scope="col" class="hide-narrow" { (tr.t("community.population_source")) }
                    th scope="col" class="hide-narrow" { (tr.t("community.pcode")) }
                    th scope="col" { (tr.t("community.coordinates")) }
                } }
                tbody { @for l in &ov.localities { tr {
                    th scope="row" { (l.name) }
                    td { (tr.t(l.kind.label_key())) }
                    td.num { (optional_integer(tr, l.population)) }
                    td class="hide-narrow" {
                        (l.population_source)
                        @if let Some(year) = l.population_year { " (" (year) ")" }
                    }
                    td class="hide-narrow" { (l.admin_pcode.as_deref().unwrap_or("—")) }
                    td { @if let (Some(lat), Some(lon)) = (l.latitude, l.longitude) { (format::coordinates(tr, lat, lon)) } }
                } } }
            } }
        }

        h2 id="groupes" { (tr.t("community.groups")) }
        @if ov.groups.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("community.groups")) }
                    th scope="col" class="num" { (tr.t("community.group_size")) }
                    th scope="col" { (tr.t("community.vulnerabilities")) }
                    th scope="col" { (tr.t("community.priorities")) }
                    th scope="col" { (tr.t("community.representation")) }
                } }
                tbody { @for g in &ov.groups { tr {
                    th scope="row" {
                        (g.name)
                        @if tr.t(g.kind.label_key()) != g.name { br; span.tag { (tr.t(g.kind.label_key())) } }
                    }
                    td.num data-label=(tr.t("community.group_size")) { (optional_integer(tr, g.size_estimate)) }
                    td data-label=(tr.t("community.vulnerabilities")) { (g.vulnerabilities) }
                    td data-label=(tr.t("community.priorities")) { (g.priorities) }
                    td data-label=(tr.t("community.representation")) { (g.representation) }
                } } }
            } }
        }

        h2 id="services" { (tr.t("community.services")) }
        @if ov.services.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                caption { (tr.t("community.services_by_sector")) }
                thead { tr {
                    th scope="col" { (tr.t("community.sector")) }
                    th scope="col" class="num" { (tr.t("community.count")) }
                    th scope="col" class="num" { (tr.t("community.capacity")) }
                } }
                tbody { @for (sector, (count, capacity)) in &by_sector { tr {
                    th scope="row" { (tr.t(sector.label_key())) }
                    td.num { (format::integer(tr, *count as i64)) }
                    td.num { (format::integer(tr, *capacity)) }
                } } }
            } }
            div.table-wrap.spaced { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("community.organisation")) }
                    th scope="col" { (tr.t("community.service")) }
                    th scope="col" { (tr.t("community.for_whom")) }
                    th scope="col" class="num" { (tr.t("community.capacity")) }
                    th scope="col" { (tr.t("community.free")) }
                    th scope="col" { (tr.t("community.referral")) }
                    @if contacts == Contacts::Shown { th scope="col" { (tr.t("community.contact")) } }
                } }
                tbody { @for s in &ov.services { tr {
                    th scope="row" { (s.organisation) }
                    td data-label=(tr.t("community.service")) { (s.service) br; span.tag { (tr.t(s.sector.label_key())) } }
                    td data-label=(tr.t("community.for_whom")) { (s.target_groups) }
                    td.num data-label=(tr.t("community.capacity")) { (optional_integer(tr, s.capacity_per_month)) }
                    td data-label=(tr.t("community.free")) { (yes_no(tr, s.free_of_charge)) }
                    td data-label=(tr.t("community.referral")) { (yes_no(tr, s.accepts_referrals)) }
                    @if contacts == Contacts::Shown { td data-label=(tr.t("community.contact")) { (s.contact_phone.expose()) } }
                } } }
            } }
        }

        h2 id="parties-prenantes" { (tr.t("community.stakeholders")) }
        @if ov.stakeholders.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("community.organisation")) }
                    th scope="col" { (tr.t("community.type")) }
                    th scope="col" { (tr.t("community.level")) }
                    th scope="col" { (tr.t("community.role")) }
                    th scope="col" { (tr.t("community.contact")) }
                } }
                tbody { @for s in &ov.stakeholders { tr {
                    th scope="row" { (s.organisation) }
                    td data-label=(tr.t("community.type")) { (tr.t(s.kind.label_key())) }
                    td data-label=(tr.t("community.level")) { (tr.t(s.level.label_key())) }
                    td data-label=(tr.t("community.role")) { (s.role_in_zone) }
                    td data-label=(tr.t("community.contact")) { @if contacts == Contacts::Shown {
                        (s.contact_name.expose()) br; (s.contact_phone.expose())
                    } @else { span.hidden-data { (tr.t("community.contact_hidden")) } } }
                } } }
            } }
        }

        h2 id="constats" { (tr.t("community.findings")) }
        (findings_table(tr, ov))
    }
}

fn findings_table(tr: Tr, ov: &CommunityOverview) -> Markup {
    html! {
        @if ov.findings.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table.stack {
                thead { tr {
                    th scope="col" { (tr.t("community.theme")) }
                    th scope="col" { (tr.t("community.statement")) }
                    th scope="col" { (tr.t("community.convergence")) }
                    th scope="col" { (tr.t("community.sources")) }
                    th scope="col" { (tr.t("community.validation")) }
                } }
                tbody { @for f in &ov.findings {
                    @let t = convergence(ov.evidence.iter().filter(|e| e.finding_id == f.id));
                    tr {
                        td data-label=(tr.t("community.theme")) { (tr.t(f.theme.label_key())) }
                        td data-label=(tr.t("community.statement")) { (f.amended_statement.as_deref().unwrap_or(&f.statement)) }
                        td data-label=(tr.t("community.convergence")) {
                            @match t.convergence {
                                Some(level) => span class={"tag " (level.code())} { (tr.t(level.label_key())) },
                                None => span.tag { (tr.t("community.not_triangulated")) },
                            }
                            @if t.single_source_type { " " span.tag.flag { (tr.t("community.single_source")) } }
                        }
                        td data-label=(tr.t("community.sources")) {
                            @for (i, s) in t.source_types.iter().enumerate() {
                                @if i > 0 { ", " } (tr.t(s.label_key()))
                            }
                        }
                        td data-label=(tr.t("community.validation")) { (tr.t(f.validation.label_key())) }
                    }
                } }
            } }
        }
    }
}
