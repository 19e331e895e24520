//! Community exercises drawn as SVG from their data: the timeline, the seasonal calendar, the
//! pairwise ranking (its matrix and its scores) and the SWOT (FFOM) matrix.

use maud::{Markup, html};
use sigida_core::exercises::{
    CalendarRow, Destination, Exercise, ExerciseData, PairChoice, StakeholderPlace, TimelineEvent,
    Tree, VennCircle, pairwise_scores,
};

use crate::{Tr, format};

const MONTHS_FR: [&str; 12] = ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"];
const SHADES: [&str; 4] = ["#f1f4f6", "#c8e6c9", "#66bb6a", "#1b6b5f"];

/// One exercise: its title, who took part, and its drawing.
pub fn exercise(tr: Tr, e: &Exercise) -> Markup {
    html! {
        article.exercise {
            h3 { (e.title) }
            p.note {
                (tr.t(e.data.kind().label_key())) " · "
                (e.group.map_or(tr.t("exercises.mixed_group"), |g| tr.t(g.label_key()))) " · "
                (format::date(tr, e.held_on))
            }
            @match &e.data {
                ExerciseData::Timeline(events) => (timeline(&e.title, events)),
                ExerciseData::SeasonalCalendar(rows) => (calendar(tr, &e.title, rows)),
                ExerciseData::PairwiseRanking { items, choices } => (pairwise(tr, &e.title, items, choices)),
                ExerciseData::Swot { strengths, weaknesses, opportunities, threats } => {
                    (swot(tr, &e.title, [strengths, weaknesses, opportunities, threats]))
                }
                ExerciseData::Venn(circles) => (venn(tr, &e.title, circles)),
                ExerciseData::ProblemTree(t) => (tree(tr, &e.title, t, ["exercises.effects", "exercises.problem", "exercises.causes"])),
                ExerciseData::ObjectivesTree(t) => (tree(tr, &e.title, t, ["exercises.ends", "exercises.objective", "exercises.means"])),
                ExerciseData::StakeholderMatrix(places) => (stakeholder_matrix(tr, &e.title, places)),
                ExerciseData::MobilityMap(places) => (mobility_map(tr, &e.title, places)),
            }
        }
    }
}

fn timeline(title: &str, events: &[TimelineEvent]) -> Markup {
    let row = 28.0;
    let height = 20.0 + row * events.len() as f64;
    html! {
        figure.chart {
            svg viewBox={"0 0 760 " (height)} role="img" aria-label=(title) {
                title { (title) }
                line x1="96" x2="96" y1="10" y2=(height - 10.0) stroke="#1b6b5f" stroke-width="2" {}
                @for (i, e) in events.iter().enumerate() {
                    @let y = 24.0 + row * i as f64;
                    text x="80" y=(y + 4.0) text-anchor="end" font-size="13" font-weight="700" fill="#083d42" { (e.year) }
                    circle cx="96" cy=(y) r="6" fill="#d9822b" {}
                    text x="112" y=(y + 4.0) font-size="13" fill="#222" { (e.event) }
                }
            }
        }
    }
}

fn calendar(tr: Tr, title: &str, rows: &[CalendarRow]) -> Markup {
    let (left, cell, top) = (230.0, 36.0, 26.0);
    let height = top + cell * 0.8 * rows.len() as f64 + 34.0;
    html! {
        figure.chart {
            svg viewBox={"0 0 " (left + cell * 12.0 + 10.0) " " (height)} role="img" aria-label=(title) {
                title { (title) }
                @for (m, name) in MONTHS_FR.iter().enumerate() {
                    text x=(left + cell * m as f64 + cell / 2.0) y="18" text-anchor="middle" font-size="12" fill="#333" { (name) }
                }
                @for (r, row) in rows.iter().enumerate() {
                    @let y = top + cell * 0.8 * r as f64;
                    text x=(left - 8.0) y=(y + cell * 0.5) text-anchor="end" font-size="12" fill="#222" { (row.label) }
                    @for (m, v) in row.months.iter().enumerate() {
                        rect x=(left + cell * m as f64 + 1.0) y=(y + 1.0) width=(cell - 2.0) height=(cell * 0.8 - 2.0) fill=(SHADES[usize::from(*v).min(3)]) {
                            title { (row.label) " — " (MONTHS_FR[m]) " : " (v) }
                        }
                    }
                }
                @for (i, shade) in SHADES.iter().enumerate() {
                    rect x=(left + 90.0 * i as f64) y=(height - 22.0) width="12" height="12" fill=(shade) stroke="#bbb" {}
                    text x=(left + 90.0 * i as f64 + 16.0) y=(height - 12.0) font-size="11" { (tr.t(&format!("exercises.intensity_{i}"))) }
                }
            }
            figcaption { (tr.t("exercises.calendar_caption")) }
        }
    }
}

fn pairwise(tr: Tr, title: &str, items: &[String], choices: &[PairChoice]) -> Markup {
    let scores = pairwise_scores(items, choices);
    let best = scores.first().map_or(1, |(_, s)| (*s).max(1));
    let winner_of = |a: &str, b: &str| {
        choices
            .iter()
            .find(|c| (c.winner == a && c.loser == b) || (c.winner == b && c.loser == a))
    };
    html! {
        div.table-wrap { table {
            caption { (tr.t("exercises.pairwise_caption")) }
            thead { tr { th {} @for b in items { th scope="col" { (b) } } } }
            tbody { @for (i, a) in items.iter().enumerate() { tr {
                th scope="row" { (a) }
                @for (j, b) in items.iter().enumerate() {
                    @if j <= i { td {} } @else {
                        @match winner_of(a, b) {
                            Some(c) => td title=(c.reason) { strong { (c.winner) } @if !c.reason.is_empty() { br; span.note { (c.reason) } } },
                            None => td { "—" },
                        }
                    }
                }
            } } }
        } }
        figure.chart {
            svg viewBox={"0 0 640 " (20 + 30 * scores.len())} role="img" aria-label=(title) {
                title { (title) }
                @for (i, (item, score)) in scores.iter().enumerate() {
                    @let y = 10 + 30 * i;
                    text x="180" y=(y + 16) text-anchor="end" font-size="13" { (item) }
                    rect x="190" y=(y) width=(400 * score / best) height="20" fill="#1b6b5f" {}
                    text x=(196 + 400 * score / best) y=(y + 15) font-size="12" { (score) }
                }
            }
            figcaption { (tr.t("exercises.pairwise_scores")) }
        }
    }
}

fn swot(tr: Tr, title: &str, quadrants: [&Vec<String>; 4]) -> Markup {
    let keys = [
        "exercises.strengths",
        "exercises.weaknesses",
        "exercises.opportunities",
        "exercises.threats",
    ];
    let fills = ["#e8f5e9", "#ffebee", "#e3f2fd", "#fff3e0"];
    let lines = quadrants.iter().map(|q| q.len()).max().unwrap_or(0);
    let box_h = 40.0 + 20.0 * lines as f64;
    html! {
        figure.chart {
            svg viewBox={"0 0 760 " (2.0 * box_h + 10.0)} role="img" aria-label=(title) {
                title { (title) }
                @for (k, items) in quadrants.iter().enumerate() {
                    @let (x, y) = (5.0 + 375.0 * (k % 2) as f64, 5.0 + box_h * (k / 2) as f64);
                    rect x=(x) y=(y) width="370" height=(box_h - 5.0) fill=(fills[k]) stroke="#bbb" rx="6" {}
                    text x=(x + 12.0) y=(y + 22.0) font-size="14" font-weight="700" fill="#083d42" { (tr.t(keys[k])) }
                    @for (i, item) in items.iter().enumerate() {
                        text x=(x + 16.0) y=(y + 44.0 + 20.0 * i as f64) font-size="12.5" fill="#222" { "• " (item) }
                    }
                }
            }
        }
    }
}

/// Institutions around the community: the bigger, the more important; the farther, the
/// less present in its life.
fn venn(tr: Tr, title: &str, circles: &[VennCircle]) -> Markup {
    let (cx, cy) = (380.0, 260.0);
    html! {
        figure.chart {
            svg viewBox="0 0 760 520" role="img" aria-label=(title) {
                title { (title) }
                circle cx=(cx) cy=(cy) r="70" fill="#1b6b5f" fill-opacity="0.15" stroke="#1b6b5f" stroke-width="2" {}
                text x=(cx) y=(cy + 5.0) text-anchor="middle" font-size="14" font-weight="700" fill="#083d42" { (tr.t("exercises.community")) }
                @for (i, c) in circles.iter().enumerate() {
                    @let angle = std::f64::consts::TAU * i as f64 / circles.len() as f64 - std::f64::consts::FRAC_PI_2;
                    @let reach = 40.0 + 70.0 * f64::from(c.distance);
                    @let (x, y) = (cx + reach * angle.cos(), cy + reach * angle.sin() * 0.85);
                    @let r = 16.0 + 14.0 * f64::from(c.importance);
                    circle cx=(x) cy=(y) r=(r) fill="#d9822b" fill-opacity="0.25" stroke="#d9822b" {}
                    text x=(x) y=(y + r + 14.0) text-anchor="middle" font-size="12" fill="#222" { (c.institution) }
                }
            }
            figcaption { (tr.t("exercises.venn_caption")) }
        }
    }
}

/// The core box in the middle, what lies below it (causes, means) and above (effects, ends).
fn tree(tr: Tr, title: &str, t: &Tree, labels: [&str; 3]) -> Markup {
    let width = 760.0;
    let row = |items: &[String], y: f64, fill: &str| {
        let n = items.len().max(1) as f64;
        let w = (width - 20.0) / n;
        html! {
            @for (i, item) in items.iter().enumerate() {
                @let x = 10.0 + w * i as f64;
                rect x=(x + 4.0) y=(y) width=(w - 8.0) height="46" rx="6" fill=(fill) stroke="#999" {}
                text x=(x + w / 2.0) y=(y + 28.0) text-anchor="middle" font-size="12" fill="#222" { (item) }
                line x1=(x + w / 2.0) x2=(width / 2.0) y1=(if y < 150.0 { y + 46.0 } else { y }) y2=(if y < 150.0 { 150.0 } else { 196.0 }) stroke="#999" {}
            }
        }
    };
    html! {
        figure.chart {
            svg viewBox={"0 0 " (width) " 330"} role="img" aria-label=(title) {
                title { (title) }
                text x="10" y="16" font-size="12" fill="#555" { (tr.t(labels[0])) }
                (row(&t.above, 24.0, "#fff3e0"))
                rect x=(width / 2.0 - 200.0) y="150" width="400" height="46" rx="6" fill="#1b6b5f" {}
                text x=(width / 2.0) y="178" text-anchor="middle" font-size="14" font-weight="700" fill="#fff" { (t.core) }
                text x="10" y="146" font-size="12" fill="#555" { (tr.t(labels[1])) }
                text x="10" y="322" font-size="12" fill="#555" { (tr.t(labels[2])) }
                (row(&t.below, 250.0, "#e3f2fd"))
            }
        }
    }
}

/// Stakeholders by influence (up) and interest (right), in four quadrants.
fn stakeholder_matrix(tr: Tr, title: &str, places: &[StakeholderPlace]) -> Markup {
    let (left, top, size) = (70.0, 20.0, 400.0);
    let at = |v: u8| (f64::from(v) - 0.5) / 5.0 * size;
    html! {
        figure.chart {
            svg viewBox="0 0 760 470" role="img" aria-label=(title) {
                title { (title) }
                rect x=(left) y=(top) width=(size) height=(size) fill="#f7f9fa" stroke="#999" {}
                line x1=(left + size / 2.0) x2=(left + size / 2.0) y1=(top) y2=(top + size) stroke="#bbb" stroke-dasharray="4" {}
                line x1=(left) x2=(left + size) y1=(top + size / 2.0) y2=(top + size / 2.0) stroke="#bbb" stroke-dasharray="4" {}
                text x=(left + size - 6.0) y=(top + 16.0) text-anchor="end" font-size="11" fill="#555" { (tr.t("exercises.manage_closely")) }
                text x=(left + 6.0) y=(top + 16.0) font-size="11" fill="#555" { (tr.t("exercises.keep_satisfied")) }
                text x=(left + size - 6.0) y=(top + size - 8.0) text-anchor="end" font-size="11" fill="#555" { (tr.t("exercises.keep_informed")) }
                text x=(left + 6.0) y=(top + size - 8.0) font-size="11" fill="#555" { (tr.t("exercises.monitor")) }
                text x=(left + size / 2.0) y=(top + size + 34.0) text-anchor="middle" font-size="12" { (tr.t("exercises.interest")) " →" }
                text x="20" y=(top + size / 2.0) font-size="12" transform={"rotate(-90 20 " (top + size / 2.0) ")"} text-anchor="middle" { (tr.t("exercises.influence")) " →" }
                @for (i, p) in places.iter().enumerate() {
                    // Stakeholders on the same spot are stacked, not drawn over each other.
                    @let before = places[..i].iter().filter(|q| q.interest == p.interest && q.influence == p.influence).count();
                    @let (x, y) = (left + at(p.interest), top + size - at(p.influence) + 16.0 * before as f64);
                    circle cx=(x) cy=(y) r="7" fill="#d9822b" {}
                    text x=(x + 10.0) y=(y + 4.0) font-size="12" fill="#222" { (p.stakeholder) }
                }
            }
        }
    }
}

/// Where people go: distance on a logarithmic scale from the community, line width by how
/// often, the purpose under the place.
fn mobility_map(tr: Tr, title: &str, places: &[Destination]) -> Markup {
    let (cx, cy) = (380.0, 250.0);
    let far = places
        .iter()
        .map(|p| p.distance_km)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    html! {
        figure.chart {
            svg viewBox="0 0 760 500" role="img" aria-label=(title) {
                title { (title) }
                @for (i, p) in places.iter().enumerate() {
                    @let angle = std::f64::consts::TAU * i as f64 / places.len() as f64 - std::f64::consts::FRAC_PI_2;
                    @let reach = 60.0 + 170.0 * (1.0 + f64::from(p.distance_km)).ln() / (1.0 + far).ln();
                    @let (x, y) = (cx + reach * angle.cos() * 1.4, cy + reach * angle.sin());
                    line x1=(cx) y1=(cy) x2=(x) y2=(y) stroke="#1b6b5f" stroke-width=(2 * p.frequency) stroke-opacity="0.6" {}
                    circle cx=(x) cy=(y) r="6" fill="#d9822b" {}
                    text x=(x) y=(y - 10.0) text-anchor="middle" font-size="12" font-weight="700" fill="#222" { (p.place) " (" (p.distance_km) " km)" }
                    text x=(x) y=(y + 20.0) text-anchor="middle" font-size="11" fill="#555" { (p.purpose) }
                }
                circle cx=(cx) cy=(cy) r="40" fill="#083d42" {}
                text x=(cx) y=(cy + 4.0) text-anchor="middle" font-size="11" fill="#fff" { (tr.t("exercises.community")) }
            }
            figcaption { (tr.t("exercises.mobility_caption")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use sigida_core::Id;
    use sigida_core::exercises::parse_pairwise;

    #[test]
    fn a_pairwise_ranking_is_drawn_with_its_reasons_and_scores() {
        let e = Exercise {
            id: Id::new(),
            community_id: Id::new(),
            title: "Priorités des femmes".into(),
            group: None,
            held_on: time::macros::date!(2026 - 02 - 06),
            data: parse_pairwise(
                "Eau > Santé | corvée d'eau\nEau > Emploi\nSanté > Emploi | maternité",
            )
            .unwrap(),
        };
        let page = exercise(Tr::new(Lang::Fr), &e).into_string();
        assert!(
            page.contains("corvée d&#39;eau") || page.contains("corvée d'eau"),
            "{page}"
        );
        assert!(page.contains("<svg"), "scores drawn");
        assert!(page.contains(">2</text>"), "Eau wins twice: {page}");
    }
}
