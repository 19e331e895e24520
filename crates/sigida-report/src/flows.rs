//! Migration trends and flows of a community, from its flow monitoring counts: key figures,
//! who travels, monthly and weekly trends drawn as SVG, the origin–destination matrix, the
//! main routes, nationalities, means of transport and monitoring points.

use maud::{Markup, html};
use sigida_core::flows::{
    FlowCount, OdMatrix, Period, PeriodTotal, Profile, route, totals_by, trend,
};

use crate::{Tr, format};

/// How many origins, destinations or rows of a ranking a table shows (the rest are summed).
const SHOWN: usize = 8;

/// Everything the section shows, computed once from the counts.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowAnalysis {
    pub counts: usize,
    pub first: Option<time::Date>,
    pub last: Option<time::Date>,
    pub profile: Profile,
    pub od: OdMatrix,
    pub months: Vec<PeriodTotal>,
    pub weeks: Vec<PeriodTotal>,
    pub routes: Vec<(String, u64)>,
    pub nationalities: Vec<(String, u64)>,
    pub transports: Vec<(String, u64)>,
    pub points: Vec<(String, u64)>,
}

impl FlowAnalysis {
    pub fn of(counts: &[FlowCount]) -> FlowAnalysis {
        let named = |text: &str| {
            if text.is_empty() {
                "—".to_owned()
            } else {
                text.to_owned()
            }
        };
        FlowAnalysis {
            counts: counts.len(),
            first: counts.iter().map(|c| c.date).min(),
            last: counts.iter().map(|c| c.date).max(),
            profile: Profile::of(counts),
            od: OdMatrix::of(counts),
            months: trend(counts, Period::Month),
            weeks: trend(counts, Period::Week),
            routes: totals_by(counts, route),
            nationalities: totals_by(counts, |c| named(&c.nationality)),
            transports: totals_by(counts, |c| named(&c.transport)),
            points: totals_by(counts, |c| named(&c.point)),
        }
    }
}

fn n(tr: Tr, value: u64) -> String {
    format::integer(tr, i64::try_from(value).unwrap_or(i64::MAX))
}

/// The whole section below its title.
pub fn section(tr: Tr, a: &FlowAnalysis) -> Markup {
    if a.counts == 0 {
        return html! { p.note { (tr.t("flows.none")) } };
    }
    let p = &a.profile;
    let base = p.broken_down();
    let cards = [
        (n(tr, p.travellers), "flows.travellers"),
        (n(tr, a.counts as u64), "flows.counts"),
        (
            format::percent(tr, Profile::share(p.women + p.girls, base)),
            "flows.female_share",
        ),
        (
            format::percent(tr, Profile::share(p.children(), base)),
            "flows.children_share",
        ),
        (n(tr, p.unaccompanied_children), "flows.unaccompanied"),
        (
            format::percent(tr, Profile::share(p.vulnerable, p.travellers)),
            "flows.vulnerable_share",
        ),
    ];
    html! {
        @if let (Some(first), Some(last)) = (a.first, a.last) {
            p { (tr.t("flows.period")) " " (format::date(tr, first)) " " (tr.t("flows.to")) " " (format::date(tr, last)) "." }
        }
        div.cards {
            @for (value, key) in &cards {
                div.card { span.figure { (value) } span.label { (tr.t(key)) } }
            }
        }
        p.note { (tr.t("flows.shares_note")) }
        h3 { (tr.t("flows.monthly")) }
        (trend_chart(tr, &a.months, tr.t("flows.monthly"), |p| format::month(tr, p.start)))
        (trend_table(tr, &a.months))
        h3 { (tr.t("flows.weekly")) }
        (trend_chart(tr, &a.weeks, tr.t("flows.weekly"), |p| p.label.clone()))
        h3 { (tr.t("flows.od_matrix")) }
        (od_table(tr, &a.od))
        h3 { (tr.t("flows.routes")) }
        (ranking(tr, &a.routes, "flows.route", p.travellers))
        h3 { (tr.t("flows.nationalities")) }
        (ranking(tr, &a.nationalities, "flows.nationality", p.travellers))
        h3 { (tr.t("flows.transports")) }
        (ranking(tr, &a.transports, "flows.transport", p.travellers))
        h3 { (tr.t("flows.points")) }
        (ranking(tr, &a.points, "flows.point", p.travellers))
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 40.0;
const TOP: f64 = 12.0;

/// A round step for an axis that reaches `max` in about four steps.
fn axis_step(max: u64) -> u64 {
    let rough = (max as f64 / 4.0).max(1.0);
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= rough)
        .unwrap_or(10.0 * magnitude);
    step.max(1.0) as u64
}

/// Incoming and outgoing travellers side by side for each period, with a labelled axis.
fn trend_chart(
    tr: Tr,
    periods: &[PeriodTotal],
    title: &str,
    label: impl Fn(&PeriodTotal) -> String,
) -> Markup {
    let max = periods
        .iter()
        .map(|p| p.incoming.max(p.outgoing).max(p.internal))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = axis_step(max);
    let top = max.div_ceil(step) * step;
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = plot_w / periods.len().max(1) as f64;
    let bar = (slot * 0.38).min(18.0);
    let y = |v: u64| TOP + plot_h * (1.0 - v as f64 / top as f64);
    // Every label when they fit, else one in k.
    let every = (periods.len() as f64 * 64.0 / plot_w).ceil().max(1.0) as usize;
    let ticks: Vec<u64> = (0..=top / step).map(|i| i * step).collect();
    let has_internal = periods.iter().any(|p| p.internal > 0);
    html! {
        figure.chart {
            svg viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(title) {
                title { (title) }
                @for t in &ticks {
                    line x1=(LEFT) x2=(WIDTH - 8.0) y1=(y(*t)) y2=(y(*t)) stroke="#ddd" {}
                    text x=(LEFT - 6.0) y=(y(*t) + 4.0) text-anchor="end" font-size="11" fill="#555" { (n(tr, *t)) }
                }
                @for (i, p) in periods.iter().enumerate() {
                    @let x = LEFT + slot * i as f64 + slot / 2.0;
                    rect x=(x - bar) y=(y(p.incoming)) width=(bar) height=(y(0) - y(p.incoming)) fill="#1b6b5f" {
                        title { (label(p)) " — " (tr.t("direction.incoming")) " : " (n(tr, p.incoming)) }
                    }
                    rect x=(x) y=(y(p.outgoing)) width=(bar) height=(y(0) - y(p.outgoing)) fill="#d9822b" {
                        title { (label(p)) " — " (tr.t("direction.outgoing")) " : " (n(tr, p.outgoing)) }
                    }
                    @if i % every == 0 {
                        text x=(x) y=(HEIGHT - BOTTOM + 16.0) text-anchor="middle" font-size="11" fill="#333" { (label(p)) }
                    }
                }
                line x1=(LEFT) x2=(WIDTH - 8.0) y1=(y(0)) y2=(y(0)) stroke="#333" {}
                rect x=(LEFT) y=(HEIGHT - 14.0) width="10" height="10" fill="#1b6b5f" {}
                text x=(LEFT + 14.0) y=(HEIGHT - 5.0) font-size="11" { (tr.t("direction.incoming")) }
                rect x=(LEFT + 110.0) y=(HEIGHT - 14.0) width="10" height="10" fill="#d9822b" {}
                text x=(LEFT + 124.0) y=(HEIGHT - 5.0) font-size="11" { (tr.t("direction.outgoing")) }
            }
            figcaption {
                (title) ". " (tr.t("flows.chart_caption"))
                @if has_internal { " " (tr.t("flows.internal_not_drawn")) }
            }
        }
    }
}

fn trend_table(tr: Tr, periods: &[PeriodTotal]) -> Markup {
    // The internal column only where some flows are internal.
    let internal = periods.iter().any(|p| p.internal > 0);
    html! {
        div.table-wrap {
            table.stack {
                thead { tr {
                    th scope="col" { (tr.t("flows.month")) }
                    th scope="col" { (tr.t("direction.incoming")) }
                    th scope="col" { (tr.t("direction.outgoing")) }
                    @if internal { th scope="col" { (tr.t("direction.internal")) } }
                    th scope="col" { (tr.t("flows.total")) }
                } }
                tbody {
                    @for p in periods {
                        tr {
                            th scope="row" { (format::month(tr, p.start)) }
                            td.num data-label=(tr.t("direction.incoming")) { (n(tr, p.incoming)) }
                            td.num data-label=(tr.t("direction.outgoing")) { (n(tr, p.outgoing)) }
                            @if internal {
                                td.num data-label=(tr.t("direction.internal")) { (n(tr, p.internal)) }
                            }
                            td.num data-label=(tr.t("flows.total")) { (n(tr, p.total())) }
                        }
                    }
                }
            }
        }
    }
}

/// The matrix with its largest origins and destinations; the others summed in a last row
/// and column, so that every total still adds up.
fn od_table(tr: Tr, od: &OdMatrix) -> Markup {
    let rows = od.origins.len().min(SHOWN);
    let cols = od.destinations.len().min(SHOWN);
    let more_rows = od.origins.len() > rows;
    let more_cols = od.destinations.len() > cols;
    let cell = |o: std::ops::Range<usize>, d: std::ops::Range<usize>| -> u64 {
        od.counts[o]
            .iter()
            .map(|row| row[d.clone()].iter().sum::<u64>())
            .sum()
    };
    let (all_o, all_d) = (0..od.origins.len(), 0..od.destinations.len());
    html! {
        div.table-wrap {
            table {
                caption { (tr.t("flows.od_caption")) }
                thead { tr {
                    th scope="col" { (tr.t("flows.origin")) " \\ " (tr.t("flows.destination")) }
                    @for d in &od.destinations[..cols] { th scope="col" { (d) } }
                    @if more_cols { th scope="col" { (tr.t("flows.others")) } }
                    th scope="col" { (tr.t("flows.total")) }
                } }
                tbody {
                    @for (i, o) in od.origins[..rows].iter().enumerate() {
                        tr {
                            th scope="row" { (o) }
                            @for j in 0..cols { td.num { (n(tr, od.counts[i][j])) } }
                            @if more_cols { td.num { (n(tr, cell(i..i + 1, cols..od.destinations.len()))) } }
                            td.num { (n(tr, cell(i..i + 1, all_d.clone()))) }
                        }
                    }
                    @if more_rows {
                        tr {
                            th scope="row" { (tr.t("flows.others")) }
                            @for j in 0..cols { td.num { (n(tr, cell(rows..od.origins.len(), j..j + 1))) } }
                            @if more_cols { td.num { (n(tr, cell(rows..od.origins.len(), cols..od.destinations.len()))) } }
                            td.num { (n(tr, cell(rows..od.origins.len(), all_d.clone()))) }
                        }
                    }
                    tr {
                        th scope="row" { (tr.t("flows.total")) }
                        @for j in 0..cols { td.num { (n(tr, cell(all_o.clone(), j..j + 1))) } }
                        @if more_cols { td.num { (n(tr, cell(all_o.clone(), cols..od.destinations.len()))) } }
                        td.num { strong { (n(tr, od.total)) } }
                    }
                }
            }
        }
    }
}

/// The largest entries with their share of all travellers; the rest summed.
fn ranking(tr: Tr, entries: &[(String, u64)], what: &str, total: u64) -> Markup {
    let shown = entries.len().min(SHOWN);
    let rest: u64 = entries[shown..].iter().map(|(_, v)| v).sum();
    html! {
        div.table-wrap {
            table.stack {
                thead { tr {
                    th scope="col" { (tr.t(what)) }
                    th scope="col" { (tr.t("flows.travellers")) }
                    th scope="col" { (tr.t("flows.share")) }
                } }
                tbody {
                    @for (name, value) in &entries[..shown] {
                        tr {
                            th scope="row" { (name) }
                            td.num data-label=(tr.t("flows.travellers")) { (n(tr, *value)) }
                            td.num data-label=(tr.t("flows.share")) { (format::percent(tr, Profile::share(*value, total))) }
                        }
                    }
                    @if rest > 0 {
                        tr {
                            th scope="row" { (tr.t("flows.others")) }
                            td.num data-label=(tr.t("flows.travellers")) { (n(tr, rest)) }
                            td.num data-label=(tr.t("flows.share")) { (format::percent(tr, Profile::share(rest, total))) }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use sigida_core::flows::Direction;
    use sigida_core::id::Id;

    fn count(day: u8, direction: Direction, origin: &str, destination: &str, n: u32) -> FlowCount {
        FlowCount {
            community_id: Id::new(),
            import_id: None,
            source_row: None,
            point: "Pont".into(),
            date: time::Date::from_calendar_date(2026, time::Month::March, day).unwrap(),
            direction,
            origin: origin.into(),
            destination: destination.into(),
            nationality: "Mali".into(),
            transport: "bus".into(),
            travellers: n,
            men: n,
            women: 0,
            boys: 0,
            girls: 0,
            unaccompanied_children: 0,
            vulnerable: 0,
        }
    }

    #[test]
    fn the_od_table_sums_the_origins_and_destinations_it_does_not_show() {
        let mut counts = Vec::new();
        for i in 0..10u32 {
            counts.push(count(
                1,
                Direction::Outgoing,
                &format!("O{i}"),
                &format!("D{i}"),
                100 - i,
            ));
        }
        let a = FlowAnalysis::of(&counts);
        let page = section(Tr::new(Lang::Fr), &a).into_string();
        // O8 → D8 (92) and O9 → D9 (91) fall in « Autres » × « Autres »: 183.
        assert!(page.contains("<td class=\"num\">183</td>"), "{page}");
        assert!(
            page.contains("<strong>955</strong>"),
            "the grand total: {page}"
        );
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(axis_step(7), 2);
        assert_eq!(axis_step(95), 25);
        assert_eq!(axis_step(1234), 500);
    }

    #[test]
    fn no_counts_say_so() {
        let page = section(Tr::new(Lang::En), &FlowAnalysis::of(&[])).into_string();
        assert!(page.contains(Tr::new(Lang::En).t("flows.none")));
    }
}
