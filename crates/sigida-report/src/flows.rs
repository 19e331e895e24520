//! Migration trends and flows of a community, from its flow monitoring counts: key figures,
//! who travels, monthly and weekly trends drawn as SVG, the origin–destination matrix, the
//! main routes, nationalities, means of transport and monitoring points.

use maud::{Markup, html};
use sigida_core::disclosure::Cell;
use sigida_core::flows::{
    FlowCount, OdMatrix, Period, PeriodTotal, Profile, Segment, route, seasons, totals_by, trend,
};

use crate::{Tr, format};

/// How many origins, destinations or rows of a ranking a table shows (the rest are summed).
const SHOWN: usize = 8;
/// Weeks in the weekly trend: half a year.
pub const WEEKS_SHOWN: usize = 26;

/// Everything the section shows, computed once from the counts.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowAnalysis {
    pub counts: usize,
    pub first: Option<time::Date>,
    pub last: Option<time::Date>,
    pub profile: Profile,
    pub od: OdMatrix,
    pub months: Vec<PeriodTotal>,
    /// The last [`WEEKS_SHOWN`] weeks: a longer weekly series no longer reads as bars.
    pub weeks: Vec<PeriodTotal>,
    /// Travellers by year and month: the same months compared across years.
    pub seasons: std::collections::BTreeMap<i32, [u64; 12]>,
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
            weeks: {
                let weeks = trend(counts, Period::Week);
                let skip = weeks.len().saturating_sub(WEEKS_SHOWN);
                weeks[skip..].to_vec()
            },
            seasons: seasons(counts),
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
        @if base > 0 {
            h3 { (tr.t("flows.pyramid")) }
            (crate::charts::pyramid(
                tr,
                tr.t("flows.pyramid"),
                tr.t("flows.pyramid_caption"),
                &[
                    crate::charts::Band { label: tr.t("flows.adults"), male: p.men, female: p.women },
                    crate::charts::Band { label: tr.t("flows.children"), male: p.boys, female: p.girls },
                ],
            ))
        }
        h3 { (tr.t("flows.monthly")) }
        (trend_chart(tr, &a.months, tr.t("flows.monthly"), |p| format::month(tr, p.start)))
        (trend_table(tr, &a.months))
        h3 { (tr.t("flows.weekly")) }
        (trend_chart(tr, &a.weeks, tr.t("flows.weekly"), |p| p.label.clone()))
        h3 { (tr.t("flows.seasons")) }
        (season_chart(tr, &a.seasons))
        (season_table(tr, &a.seasons))
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

/// A traveller survey's figures for one community (filled by the web layer from the clean data).
#[derive(Clone, Debug, PartialEq)]
pub struct TravellerSurvey {
    pub instrument: String,
    /// The cleaning log's version the data were cleaned with.
    pub log_version: String,
    pub respondents: u64,
    pub questions: Vec<AnswerShares>,
    /// The legs at least `min_cell` travellers took, largest first.
    pub segments: Vec<Segment>,
    /// Legs fewer travellers took: not published.
    pub small_legs: usize,
    pub min_cell: u64,
}

/// The answers to one closed question.
#[derive(Clone, Debug, PartialEq)]
pub struct AnswerShares {
    pub question: String,
    pub label: String,
    /// Several answers allowed: shares add up to more than 100 %.
    pub multiple: bool,
    /// Travellers who answered.
    pub respondents: u64,
    pub options: Vec<OptionShare>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OptionShare {
    pub option: String,
    pub label: String,
    pub count: Cell<u64>,
    /// Share, lower and upper bound of its 95 % interval.
    pub share: Cell<(f64, f64, f64)>,
}

/// The traveller surveys below their title: each closed question as bars, then the legs.
pub fn survey_section(tr: Tr, surveys: &[TravellerSurvey]) -> Markup {
    html! {
        @if surveys.is_empty() {
            p.note { (tr.t("flows.survey_none")) }
        }
        @for s in surveys {
            p {
                (s.instrument) " — " (n(tr, s.respondents)) " " (tr.t("flows.survey_respondents")) "."
            }
            p.note { (tr.t("report.source")) " : " (s.instrument) ", " (tr.t("report.log_version")) " " code { (s.log_version) } "." }
            p.note { (tr.t("flows.survey_note")) " " (tr.with_n("flows.small_cells_note", s.min_cell)) }
            div.bar-grid {
                @for q in &s.questions {
                    (answer_bars(tr, q, s.min_cell))
                }
            }
            h4 { (tr.t("flows.segments")) }
            @if s.segments.is_empty() {
                p.note { (tr.t("flows.segments_none")) }
            } @else {
                div.table-wrap {
                    table.stack {
                        thead { tr {
                            th scope="col" { (tr.t("flows.segment_from")) }
                            th scope="col" { (tr.t("flows.segment_to")) }
                            th scope="col" { (tr.t("flows.survey_travellers")) }
                            th scope="col" { (tr.t("flows.share")) }
                        } }
                        tbody {
                            @for leg in &s.segments {
                                tr {
                                    th scope="row" { (leg.from) }
                                    td data-label=(tr.t("flows.segment_to")) { (leg.to) }
                                    td.num data-label=(tr.t("flows.survey_travellers")) { (n(tr, leg.travellers)) }
                                    td.num data-label=(tr.t("flows.share")) { (format::percent(tr, Profile::share(leg.travellers, s.respondents))) }
                                }
                            }
                        }
                    }
                }
            }
            @if s.small_legs > 0 {
                p.note { (tr.with_n("flows.small_legs", s.min_cell)) " " (s.small_legs) "." }
            }
            p.note { (tr.t("flows.segments_note")) }
        }
    }
}

const BAR_ROW: f64 = 40.0;
/// Narrower than the trend charts: shown at about their own size, two side by side on a
/// desktop, one on a phone, their text stays the same size whatever the number of answers.
const BAR_WIDTH: f64 = 400.0;

/// One bar per option, its label above it and its share beside it; suppressed options named
/// without a bar.
fn answer_bars(tr: Tr, q: &AnswerShares, min_cell: u64) -> Markup {
    let height = BAR_ROW * q.options.len() as f64 + 8.0;
    let plot = BAR_WIDTH - 66.0;
    html! {
        figure.bars {
            figcaption {
                strong { (q.label) } ". " (tr.t("flows.survey_base")) " " (n(tr, q.respondents)) "."
                @if q.multiple { " " (tr.t("flows.survey_multiple")) }
            }
            svg viewBox={"0 0 " (BAR_WIDTH) " " (height)} role="img" aria-label=(q.label) {
                title { (q.label) }
                @for (i, o) in q.options.iter().enumerate() {
                    @let top = BAR_ROW * i as f64;
                    text x="0" y=(top + 14.0) font-size="14" fill="#333" { (o.label) }
                    @match o.share {
                        Cell::Shown((share, _, _)) => {
                            rect x="0" y=(top + 19.0) width=(format!("{:.1}", (plot * share).max(1.0))) height="14" fill="#1b6b5f" {
                                title { (o.label) " : " (format::percent(tr, Some(share))) }
                            }
                            text x=(format!("{:.1}", plot * share + 5.0)) y=(top + 31.0) font-size="14" fill="#333" { (format::percent(tr, Some(share))) }
                        }
                        Cell::Suppressed => {
                            text x="0" y=(top + 31.0) font-size="13" fill="#777" { (tr.t("disclosure.suppressed_short")) " (< " (min_cell) ")" }
                        }
                    }
                }
            }
        }
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

/// A chart's vertical axis, from zero to a round value above the largest, with its grid.
struct ValueAxis {
    top: u64,
    step: u64,
}

impl ValueAxis {
    fn up_to(max: u64) -> ValueAxis {
        let step = axis_step(max.max(1));
        ValueAxis {
            top: max.max(1).div_ceil(step) * step,
            step,
        }
    }

    fn y(&self, v: u64) -> f64 {
        TOP + (HEIGHT - BOTTOM - TOP) * (1.0 - v as f64 / self.top as f64)
    }

    /// Grid lines and their labels.
    fn grid(&self, tr: Tr) -> Markup {
        html! {
            @for t in (0..=self.top / self.step).map(|i| i * self.step) {
                line x1=(LEFT) x2=(WIDTH - 8.0) y1=(self.y(t)) y2=(self.y(t)) stroke="#ddd" {}
                text x=(LEFT - 6.0) y=(self.y(t) + 4.0) text-anchor="end" font-size="11" fill="#555" { (n(tr, t)) }
            }
        }
    }
}

/// Incoming and outgoing travellers side by side for each period, with a labelled axis.
fn trend_chart(
    tr: Tr,
    periods: &[PeriodTotal],
    title: &str,
    label: impl Fn(&PeriodTotal) -> String,
) -> Markup {
    let axis = ValueAxis::up_to(
        periods
            .iter()
            .map(|p| p.incoming.max(p.outgoing).max(p.internal))
            .max()
            .unwrap_or(0),
    );
    let y = |v: u64| axis.y(v);
    let plot_w = WIDTH - LEFT - 8.0;
    let slot = plot_w / periods.len().max(1) as f64;
    let bar = (slot * 0.38).min(18.0);
    // Every label when they fit, else one in k.
    let every = (periods.len() as f64 * 64.0 / plot_w).ceil().max(1.0) as usize;
    let has_internal = periods.iter().any(|p| p.internal > 0);
    html! {
        figure.chart {
            svg viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(title) {
                title { (title) }
                (axis.grid(tr))
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

/// One line per year across the twelve months; a month without counts leaves a gap.
fn season_chart(tr: Tr, years: &std::collections::BTreeMap<i32, [u64; 12]>) -> Markup {
    const COLOURS: [&str; 5] = ["#1b6b5f", "#d9822b", "#9aa5b1", "#7b4ea3", "#b3261e"];
    let axis = ValueAxis::up_to(
        years
            .values()
            .flat_map(|months| months.iter().copied())
            .max()
            .unwrap_or(0),
    );
    let y = |v: u64| axis.y(v);
    let plot_w = WIDTH - LEFT - 8.0;
    let x = |m: usize| LEFT + plot_w * (m as f64 + 0.5) / 12.0;
    // The latest years in the strongest colours.
    let shown: Vec<(&i32, &[u64; 12])> = years.iter().rev().take(COLOURS.len()).collect();
    let title = tr.t("flows.seasons");
    html! {
        figure.chart {
            svg viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(title) {
                title { (title) }
                (axis.grid(tr))
                @for m in 0..12 {
                    text x=(x(m)) y=(HEIGHT - BOTTOM + 16.0) text-anchor="middle" font-size="11" fill="#333" { (format::month_name(tr, month_of(m))) }
                }
                @for (i, (year, months)) in shown.iter().enumerate() {
                    @let colour = COLOURS[i];
                    // Months with counts, in runs: a line through each run, a dot on each month.
                    @for run in months.iter().enumerate().collect::<Vec<_>>().split(|(_, v)| **v == 0) {
                        @if run.len() > 1 {
                            polyline fill="none" stroke=(colour) stroke-width="2.5" points=(run.iter().map(|(m, v)| format!("{:.1},{:.1}", x(*m), y(**v))).collect::<Vec<_>>().join(" ")) {}
                        }
                        @for (m, v) in run {
                            circle cx=(format!("{:.1}", x(*m))) cy=(format!("{:.1}", y(**v))) r="3.5" fill=(colour) {
                                title { (format::month_name(tr, month_of(*m))) " " (year) " : " (n(tr, **v)) }
                            }
                        }
                    }
                    rect x=(LEFT + 90.0 * i as f64) y=(HEIGHT - 14.0) width="10" height="10" fill=(colour) {}
                    text x=(LEFT + 14.0 + 90.0 * i as f64) y=(HEIGHT - 5.0) font-size="11" { (year) }
                }
                line x1=(LEFT) x2=(WIDTH - 8.0) y1=(y(0)) y2=(y(0)) stroke="#333" {}
            }
            figcaption { (title) ". " (tr.t("flows.seasons_caption")) }
        }
    }
}

fn month_of(index: usize) -> time::Month {
    time::Month::January.nth_next(index as u8)
}

fn season_table(tr: Tr, years: &std::collections::BTreeMap<i32, [u64; 12]>) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr {
                    th scope="col" { (tr.t("flows.year")) }
                    @for m in 0..12 { th scope="col" { (format::month_name(tr, month_of(m))) } }
                    th scope="col" { (tr.t("flows.total")) }
                } }
                tbody {
                    @for (year, months) in years {
                        tr {
                            th scope="row" { (year) }
                            @for v in months {
                                td.num { @if *v == 0 { "—" } @else { (n(tr, *v)) } }
                            }
                            td.num { (n(tr, months.iter().sum())) }
                        }
                    }
                }
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
    fn the_same_months_are_compared_across_years_and_weeks_keep_the_last_half_year() {
        let mut counts = Vec::new();
        for (year, travellers) in [(2025, 40), (2026, 65)] {
            let mut c = count(1, Direction::Outgoing, "Gao", "Kidal", travellers);
            c.date = time::Date::from_calendar_date(year, time::Month::March, 3).unwrap();
            counts.push(c);
        }
        let a = FlowAnalysis::of(&counts);
        assert_eq!(a.seasons[&2025][2], 40);
        assert_eq!(a.seasons[&2026][2], 65);
        assert_eq!(
            a.weeks.len(),
            WEEKS_SHOWN,
            "a year apart: only the last weeks"
        );
        assert_eq!(a.weeks.last().unwrap().outgoing, 65);
        let page = section(Tr::new(Lang::Fr), &a).into_string();
        assert!(page.contains("Comparaison saisonnière"));
        assert!(
            page.contains("<th scope=\"row\">2025</th>")
                && page.contains("<td class=\"num\">65</td>"),
            "{page}"
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
