//! Charts shared by several sections, drawn as SVG from their numbers.

use maud::{Markup, html};

use crate::{Tr, format};

/// One band of a population pyramid: its label, then men (or boys) and women (or girls).
pub struct Band<'a> {
    pub label: &'a str,
    pub male: u64,
    pub female: u64,
}

/// Narrow enough to be read whole on a phone (no sideways scrolling, unlike the trends).
const WIDTH: f64 = 440.0;
const ROW: f64 = 40.0;
/// The middle column that holds the bands' labels.
const MIDDLE: f64 = 110.0;
const HALF: f64 = (WIDTH - MIDDLE) / 2.0;
/// Room left at each end for a bar's figure.
const FIGURE: f64 = 92.0;

/// A population pyramid: bands from top to bottom as given (oldest first), men to the left and
/// women to the right, each bar with its number and its share of everyone counted.
pub fn pyramid(tr: Tr, title: &str, caption: &str, bands: &[Band<'_>]) -> Markup {
    let total: u64 = bands.iter().map(|b| b.male + b.female).sum();
    let max = bands
        .iter()
        .map(|b| b.male.max(b.female))
        .max()
        .unwrap_or(0)
        .max(1);
    let length = |v: u64| (HALF - FIGURE) * v as f64 / max as f64;
    let height = ROW * bands.len() as f64 + 30.0;
    let figure = |v: u64| {
        let share = (total > 0).then(|| v as f64 / total as f64);
        format!(
            "{} ({})",
            format::integer(tr, i64::try_from(v).unwrap_or(i64::MAX)),
            format::percent(tr, share)
        )
    };
    html! {
        figure.pyramid {
            svg viewBox={"0 0 " (WIDTH) " " (height)} role="img" aria-label=(title) {
                title { (title) }
                text x=(HALF - 4.0) y="14" text-anchor="end" font-size="12" font-weight="bold" fill="#1b6b5f" { (tr.t("chart.male")) }
                text x=(HALF + MIDDLE + 4.0) y="14" font-size="12" font-weight="bold" fill="#d9822b" { (tr.t("chart.female")) }
                @for (i, band) in bands.iter().enumerate() {
                    @let top = 24.0 + ROW * i as f64;
                    @let left = length(band.male);
                    @let right = length(band.female);
                    rect x=(format!("{:.1}", HALF - left)) y=(top) width=(format!("{:.1}", left)) height=(ROW - 10.0) fill="#1b6b5f" {
                        title { (band.label) " — " (tr.t("chart.male")) " : " (figure(band.male)) }
                    }
                    text x=(format!("{:.1}", HALF - left - 4.0)) y=(top + ROW / 2.0) text-anchor="end" font-size="11" fill="#333" { (figure(band.male)) }
                    text x=(HALF + MIDDLE / 2.0) y=(top + ROW / 2.0) text-anchor="middle" font-size="12" fill="#222" { (band.label) }
                    rect x=(HALF + MIDDLE) y=(top) width=(format!("{:.1}", right)) height=(ROW - 10.0) fill="#d9822b" {
                        title { (band.label) " — " (tr.t("chart.female")) " : " (figure(band.female)) }
                    }
                    text x=(format!("{:.1}", HALF + MIDDLE + right + 4.0)) y=(top + ROW / 2.0) font-size="11" fill="#333" { (figure(band.female)) }
                }
            }
            figcaption { (title) ". " (caption) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn a_pyramid_puts_each_figure_with_its_share_of_everyone() {
        let bands = [
            Band {
                label: "Adultes",
                male: 60,
                female: 20,
            },
            Band {
                label: "Enfants",
                male: 15,
                female: 5,
            },
        ];
        let svg = pyramid(Tr::new(Lang::Fr), "Voyageurs", "Comptages.", &bands).into_string();
        assert!(svg.contains("60 (60,0\u{202f}%)"), "{svg}");
        assert!(svg.contains("5 (5,0\u{202f}%)"), "{svg}");
        // The longest bar is the largest group: men among adults.
        assert!(
            svg.contains(&format!("width=\"{:.1}\"", HALF - FIGURE)),
            "{svg}"
        );
        // The whole drawing, one element a line, reviewed as a file beside this one.
        insta::assert_snapshot!("pyramid_fr", svg.replace("><", ">\n<"));
    }
}
