//! Selecting the localities of intervention: criteria with the weights a meeting agrees,
//! normalised scores, the ranking, and the sensitivity check that tells the meeting which change
//! of a weight would change its selection.
//!
//! Each criterion's values are put on 0–1 as a share of the largest (more is more need: the
//! most concerned locality gets 1, 11 against 12 stays 0.92 against 1, a criterion measured for
//! a single locality still counts) — or, when a low value means more need (service coverage),
//! as the lowest value's share of each. Min–max would turn one value into 0 and a small
//! difference into all or nothing; it is used only for a criterion with negative values, which
//! has no zero to measure from. A locality's score is the weighted mean of the criteria it has
//! a value for: a missing value is neither the best nor the worst, it is left out of that
//! locality's mean and flagged, so the meeting sees it is judged on less evidence.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// More is more need: severity, share of vulnerable households.
    HigherFirst,
    /// Less is more need: service coverage, distance to services reversed.
    LowerFirst,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Criterion {
    pub name: String,
    pub weight: f64,
    pub direction: Direction,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    pub locality: String,
    pub score: f64,
    /// Normalised value per criterion (`None` where missing).
    pub normalised: Vec<Option<f64>>,
    /// Criteria it has no value for.
    pub missing: Vec<String>,
    pub selected: bool,
}

/// The smallest change of one criterion's weight that changes the selection.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sensitivity {
    pub criterion: String,
    /// Relative change down (−0.35: 35 % less weight) that changes the selection, if any.
    pub down: Option<f64>,
    /// Relative change up (+1.2: 120 % more weight), if any up to tripling the weight.
    pub up: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum SelectionError {
    NegativeWeight(String),
    NoWeight,
    Shape {
        locality: String,
        got: usize,
        expected: usize,
    },
}

impl SelectionError {
    pub fn refusal(&self) -> crate::refusal::Refusal {
        use crate::refusal::Refusal;
        match self {
            SelectionError::NegativeWeight(c) => {
                Refusal::new("selection.negative").arg("criterion", c.as_str())
            }
            SelectionError::NoWeight => Refusal::new("selection.no_weight"),
            SelectionError::Shape {
                locality,
                got,
                expected,
            } => Refusal::new("selection.shape")
                .arg("locality", locality.as_str())
                .arg("got", got.to_string())
                .arg("expected", expected.to_string()),
        }
    }
}

/// Normalised values: each criterion on 0–1 (see the module's documentation).
fn normalise(
    criteria: &[Criterion],
    values: &[(String, Vec<Option<f64>>)],
) -> Vec<Vec<Option<f64>>> {
    let mut out = vec![vec![None; criteria.len()]; values.len()];
    for (c, criterion) in criteria.iter().enumerate() {
        let present: Vec<f64> = values.iter().filter_map(|(_, v)| v[c]).collect();
        let (lo, hi) = present
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        for (l, (_, v)) in values.iter().enumerate() {
            let Some(x) = v[c] else { continue };
            let value = if lo < 0.0 {
                // No zero to measure from: the range, equal values all counting fully.
                let unit = if hi > lo { (x - lo) / (hi - lo) } else { 1.0 };
                match criterion.direction {
                    Direction::HigherFirst => unit,
                    Direction::LowerFirst if hi > lo => 1.0 - unit,
                    Direction::LowerFirst => 1.0,
                }
            } else {
                match criterion.direction {
                    Direction::HigherFirst if hi > 0.0 => x / hi,
                    // Nothing anywhere: no locality is more concerned than another.
                    Direction::HigherFirst => 0.0,
                    Direction::LowerFirst if x > 0.0 => lo / x,
                    Direction::LowerFirst => 1.0,
                }
            };
            out[l][c] = Some(value);
        }
    }
    out
}

/// Each locality's weighted mean over the criteria it has a value for (0 with none).
fn scores(weights: &[f64], normalised: &[Vec<Option<f64>>]) -> Vec<f64> {
    normalised
        .iter()
        .map(|row| {
            let (sum, weight) = row
                .iter()
                .zip(weights)
                .filter_map(|(x, w)| x.map(|x| (x * w, *w)))
                .fold((0.0, 0.0), |(s, t), (x, w)| (s + x, t + w));
            if weight > 0.0 { sum / weight } else { 0.0 }
        })
        .collect()
}

/// The indices of the `keep` best scores (ties by locality order, so the result is stable).
fn top(scores: &[f64], keep: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut chosen: Vec<usize> = order.into_iter().take(keep).collect();
    chosen.sort_unstable();
    chosen
}

/// Weights that can rank, and a value (or none) per criterion for every locality.
fn validate(
    criteria: &[Criterion],
    values: &[(String, Vec<Option<f64>>)],
) -> Result<(), SelectionError> {
    if let Some(c) = criteria.iter().find(|c| c.weight < 0.0) {
        return Err(SelectionError::NegativeWeight(c.name.clone()));
    }
    if criteria.iter().map(|c| c.weight).sum::<f64>() <= 0.0 {
        return Err(SelectionError::NoWeight);
    }
    if let Some((locality, v)) = values.iter().find(|(_, v)| v.len() != criteria.len()) {
        return Err(SelectionError::Shape {
            locality: locality.clone(),
            got: v.len(),
            expected: criteria.len(),
        });
    }
    Ok(())
}

/// Ranks the localities (`values`: each locality's value per criterion, in the criteria's
/// order) and selects the `keep` best.
pub fn rank(
    criteria: &[Criterion],
    values: &[(String, Vec<Option<f64>>)],
    keep: usize,
) -> Result<Vec<Ranked>, SelectionError> {
    validate(criteria, values)?;
    let normalised = normalise(criteria, values);
    let weights: Vec<f64> = criteria.iter().map(|c| c.weight).collect();
    let s = scores(&weights, &normalised);
    let chosen = top(&s, keep);
    let mut ranked: Vec<Ranked> = values
        .iter()
        .enumerate()
        .map(|(l, (name, v))| Ranked {
            locality: name.clone(),
            score: s[l],
            normalised: normalised[l].clone(),
            missing: criteria
                .iter()
                .zip(v)
                .filter(|(_, x)| x.is_none())
                .map(|(c, _)| c.name.clone())
                .collect(),
            selected: chosen.contains(&l),
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(ranked)
}

/// For each criterion, the smallest change of its weight alone (by steps of 1 %, down to
/// nothing and up to three times as much) that changes which localities are selected.
pub fn sensitivity(
    criteria: &[Criterion],
    values: &[(String, Vec<Option<f64>>)],
    keep: usize,
) -> Result<Vec<Sensitivity>, SelectionError> {
    validate(criteria, values)?;
    let normalised = normalise(criteria, values);
    let weights: Vec<f64> = criteria.iter().map(|c| c.weight).collect();
    let base = top(&scores(&weights, &normalised), keep);
    let changes_at = |c: usize, t: f64| {
        let mut w = weights.clone();
        w[c] *= 1.0 + t;
        w.iter().sum::<f64>() > 0.0 && top(&scores(&w, &normalised), keep) != base
    };
    Ok(criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| Sensitivity {
            criterion: criterion.name.clone(),
            down: (1..=100)
                .map(|p| -(p as f64) / 100.0)
                .find(|&t| changes_at(c, t)),
            up: (1..=200)
                .map(|p| p as f64 / 100.0)
                .find(|&t| changes_at(c, t)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn criteria(weights: [f64; 2]) -> Vec<Criterion> {
        vec![
            Criterion {
                name: "sévérité".into(),
                weight: weights[0],
                direction: Direction::HigherFirst,
            },
            Criterion {
                name: "couverture".into(),
                weight: weights[1],
                direction: Direction::LowerFirst,
            },
        ]
    }

    fn values() -> Vec<(String, Vec<Option<f64>>)> {
        vec![
            ("Château".into(), vec![Some(4.0), Some(0.8)]),
            ("Saneye".into(), vec![Some(3.0), Some(0.1)]),
            ("Gadeye".into(), vec![Some(2.0), None]),
        ]
    }

    #[test]
    fn scores_are_weighted_means_of_normalised_values() {
        let r = rank(&criteria([1.0, 1.0]), &values(), 1).unwrap();
        // Severity as a share of 4: Château 1, Saneye 0.75, Gadeye 0.5. Coverage, the lowest
        // (0.1) as a share of each: Château 0.125, Saneye 1. Château (1 + 0.125) / 2 =
        // 0.5625; Saneye (0.75 + 1) / 2 = 0.875; Gadeye 0.5 on severity alone (coverage
        // missing: left out, flagged).
        assert_eq!(r[0].locality, "Saneye");
        assert!((r[0].score - 0.875).abs() < 1e-12);
        assert!(r[0].selected && !r[1].selected);
        assert!((r[1].score - 0.5625).abs() < 1e-12);
        assert_eq!(r[2].locality, "Gadeye");
        assert!((r[2].score - 0.5).abs() < 1e-12);
        assert_eq!(r[2].missing, ["couverture"]);
        assert_eq!(r[2].normalised, [Some(0.5), None]);
        // Severity weighed five times as much: Château, 0.854 against 0.792.
        let r = rank(&criteria([5.0, 1.0]), &values(), 1).unwrap();
        assert_eq!(r[0].locality, "Château");
    }

    fn one(values: &[(&str, Option<f64>)]) -> Vec<Ranked> {
        let criteria = [Criterion {
            name: "secteurs sans service".into(),
            weight: 1.0,
            direction: Direction::HigherFirst,
        }];
        let values: Vec<(String, Vec<Option<f64>>)> = values
            .iter()
            .map(|(l, v)| (l.to_string(), vec![*v]))
            .collect();
        rank(&criteria, &values, 1).unwrap()
    }

    #[test]
    fn a_criterion_measured_for_one_locality_still_counts() {
        let r = one(&[("A", None), ("B", Some(3.0)), ("C", None)]);
        assert_eq!(r[0].locality, "B");
        assert_eq!(r[0].normalised, [Some(1.0)]);
        assert!(r[1].normalised[0].is_none() && r[1].missing == ["secteurs sans service"]);
    }

    #[test]
    fn localities_equal_on_a_criterion_all_count_fully() {
        let r = one(&[("A", Some(2.0)), ("B", Some(2.0))]);
        assert!(
            r.iter()
                .all(|l| l.normalised == [Some(1.0)] && l.score == 1.0)
        );
    }

    #[test]
    fn a_small_difference_stays_small() {
        let r = one(&[("A", Some(11.0)), ("B", Some(12.0))]);
        assert_eq!(r[0].locality, "B");
        assert!((r[1].score - 11.0 / 12.0).abs() < 1e-12, "{r:?}");
        // With a negative value, no zero to measure from: the range.
        let r = one(&[("A", Some(-1.0)), ("B", Some(1.0))]);
        assert_eq!((r[0].score, r[1].score), (1.0, 0.0));
    }

    #[test]
    fn the_sensitivity_check_finds_the_weight_that_changes_the_selection() {
        let s = sensitivity(&criteria([1.0, 1.0]), &values(), 1).unwrap();
        // Saneye leads 0.875 to 0.5625. Severity at weight w: Château (w + 0.125)/(w + 1),
        // Saneye (0.75w + 1)/(w + 1): they cross at w = 3.5, beyond tripling. Coverage at
        // weight v: Château (1 + 0.125v)/(1 + v), Saneye (0.75 + v)/(1 + v): they cross at
        // v = 2/7, that is −71.4 %; the first step of 1 % past it is −72 %.
        assert_eq!(s[0].criterion, "sévérité");
        assert_eq!((s[0].down, s[0].up), (None, None), "{:?}", s[0]);
        assert!((s[1].down.unwrap() + 0.72).abs() < 1e-9, "{:?}", s[1]);
        assert_eq!(s[1].up, None);
    }

    #[test]
    fn bad_weights_and_shapes_are_refused() {
        assert_eq!(
            rank(&criteria([0.0, 0.0]), &values(), 1),
            Err(SelectionError::NoWeight)
        );
        assert!(matches!(
            rank(&criteria([-1.0, 1.0]), &values(), 1),
            Err(SelectionError::NegativeWeight(_))
        ));
        let mut short = values();
        short[1].1.pop();
        assert!(matches!(
            rank(&criteria([1.0, 1.0]), &short, 1),
            Err(SelectionError::Shape { .. })
        ));
    }
}
