//! Selecting the localities of intervention: criteria with the weights a meeting agrees,
//! normalised scores, the ranking, and the sensitivity check that tells the meeting which change
//! of a weight would change its selection.
//!
//! Each criterion's values are put on 0–1 across the localities (min–max; reversed when a low
//! value means more need, such as service coverage); a locality's score is the weighted mean of
//! its normalised values. A locality without a value for a criterion gets 0 on it and is flagged:
//! the meeting sees that it is judged on less evidence.

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
    /// Normalised value per criterion (0 where missing).
    pub normalised: Vec<f64>,
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

/// Normalised values: each criterion on 0–1 across the localities.
fn normalise(criteria: &[Criterion], values: &[(String, Vec<Option<f64>>)]) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; criteria.len()]; values.len()];
    for (c, criterion) in criteria.iter().enumerate() {
        let present: Vec<f64> = values.iter().filter_map(|(_, v)| v[c]).collect();
        let (lo, hi) = present
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        for (l, (_, v)) in values.iter().enumerate() {
            let Some(x) = v[c] else { continue };
            // Every locality equal on a criterion: it separates none of them.
            let unit = if hi > lo { (x - lo) / (hi - lo) } else { 0.0 };
            out[l][c] = match criterion.direction {
                Direction::HigherFirst => unit,
                Direction::LowerFirst if hi > lo => 1.0 - unit,
                Direction::LowerFirst => 0.0,
            };
        }
    }
    out
}

fn scores(weights: &[f64], normalised: &[Vec<f64>]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    normalised
        .iter()
        .map(|row| row.iter().zip(weights).map(|(x, w)| x * w).sum::<f64>() / total)
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
        // Château: severity 1, coverage 0 → 0.5; Saneye: 0.5 and 1 → 0.75; Gadeye: 0 and
        // nothing (missing) → 0.
        assert_eq!(r[0].locality, "Saneye");
        assert!((r[0].score - 0.75).abs() < 1e-12);
        assert!(r[0].selected && !r[1].selected);
        assert_eq!(r[2].locality, "Gadeye");
        assert_eq!(r[2].missing, ["couverture"]);
        // Severity weighed three times as much: Château, 0.75 against 0.625.
        let r = rank(&criteria([3.0, 1.0]), &values(), 1).unwrap();
        assert_eq!(r[0].locality, "Château");
    }

    #[test]
    fn the_sensitivity_check_finds_the_weight_that_changes_the_selection() {
        let s = sensitivity(&criteria([1.0, 1.0]), &values(), 1).unwrap();
        // Saneye leads 0.75 to 0.5. Severity at weight w: Château w/(w+1), Saneye
        // (0.5w + 1)/(w+1); they cross at w = 2: +100 %. Coverage at weight v: Château
        // 1/(1+v), Saneye (0.5 + v)/(1+v): cross at v = 0.5, −50 %. A tie goes to the
        // locality listed first (Château), so the crossing itself changes the selection.
        assert_eq!(s[0].criterion, "sévérité");
        assert_eq!(s[0].down, None);
        assert!((s[0].up.unwrap() - 1.0).abs() < 1e-9, "{:?}", s[0]);
        assert!((s[1].down.unwrap() + 0.5).abs() < 1e-9, "{:?}", s[1]);
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
