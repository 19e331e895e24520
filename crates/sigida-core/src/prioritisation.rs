//! How a consultative meeting's groups rank priorities, and how their results combine.
//!
//! Each socio-economic group ranks the same options by one method — pairwise comparisons,
//! scores, or a ranking counted by Borda — and its result is a **normalised score** per option
//! between 0 and 1. Combining groups uses weights the meeting agreed, said aloud and written in
//! the minutes: the combined score is the weighted mean of the groups' normalised scores. Ranks
//! from different criteria or groups are never summed (a rank hides how far apart options are).

use std::collections::BTreeMap;

use crate::exercises::PairChoice;

/// One option's result in a group.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OptionScore {
    pub option: String,
    /// What the method counts: wins, mean score, Borda points.
    pub raw: f64,
    /// `raw` on 0–1: divided by the most the method allows.
    pub normalised: f64,
}

fn sorted(mut scores: Vec<OptionScore>) -> Vec<OptionScore> {
    scores.sort_by(|a, b| {
        b.normalised
            .total_cmp(&a.normalised)
            .then_with(|| a.option.cmp(&b.option))
    });
    scores
}

/// Pairwise comparisons: an option's wins over the comparisons it took part in.
pub fn pairwise(options: &[String], choices: &[PairChoice]) -> Vec<OptionScore> {
    sorted(
        options
            .iter()
            .map(|o| {
                let wins = choices.iter().filter(|c| &c.winner == o).count();
                let played = choices
                    .iter()
                    .filter(|c| &c.winner == o || &c.loser == o)
                    .count();
                OptionScore {
                    option: o.clone(),
                    raw: wins as f64,
                    normalised: if played == 0 {
                        0.0
                    } else {
                        wins as f64 / played as f64
                    },
                }
            })
            .collect(),
    )
}

/// Scores on a scale from `min` to `max` (each ballot scores some options): the mean score of
/// each option, on 0–1 over the scale. An option nobody scored gets 0.
pub fn scoring(
    options: &[String],
    ballots: &[BTreeMap<String, f64>],
    min: f64,
    max: f64,
) -> Vec<OptionScore> {
    let span = (max - min).max(f64::EPSILON);
    sorted(
        options
            .iter()
            .map(|o| {
                let given: Vec<f64> = ballots.iter().filter_map(|b| b.get(o).copied()).collect();
                let mean = if given.is_empty() {
                    min
                } else {
                    given.iter().sum::<f64>() / given.len() as f64
                };
                OptionScore {
                    option: o.clone(),
                    raw: mean,
                    normalised: ((mean - min) / span).clamp(0.0, 1.0),
                }
            })
            .collect(),
    )
}

/// Rankings counted by Borda: with n options, the first of a ranking gets n − 1 points, the
/// next n − 2…, an option a ballot leaves out gets nothing. Normalised by the most points an
/// option could get (first on every ballot).
pub fn borda(options: &[String], rankings: &[Vec<String>]) -> Vec<OptionScore> {
    let n = options.len();
    let most = (n.saturating_sub(1) * rankings.len()) as f64;
    sorted(
        options
            .iter()
            .map(|o| {
                let points: usize = rankings
                    .iter()
                    .filter_map(|r| r.iter().position(|x| x == o))
                    .map(|position| n.saturating_sub(1 + position))
                    .sum();
                OptionScore {
                    option: o.clone(),
                    raw: points as f64,
                    normalised: if most > 0.0 {
                        points as f64 / most
                    } else {
                        0.0
                    },
                }
            })
            .collect(),
    )
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum CombineError {
    NegativeWeight(String),
    NoWeight,
}

impl CombineError {
    pub fn refusal(&self) -> crate::refusal::Refusal {
        use crate::refusal::Refusal;
        match self {
            CombineError::NegativeWeight(g) => {
                Refusal::new("prioritisation.negative").arg("group", g.as_str())
            }
            CombineError::NoWeight => Refusal::new("prioritisation.no_weight"),
        }
    }
}

/// The groups' results combined with the weights the meeting agreed: each option's weighted
/// mean of its normalised scores (weights need not add up to 1; they are divided by their sum).
pub fn combine(
    groups: &[(String, f64, Vec<OptionScore>)],
) -> Result<Vec<OptionScore>, CombineError> {
    if let Some((name, _, _)) = groups.iter().find(|(_, w, _)| *w < 0.0) {
        return Err(CombineError::NegativeWeight(name.clone()));
    }
    let total: f64 = groups.iter().map(|(_, w, _)| w).sum();
    if total <= 0.0 {
        return Err(CombineError::NoWeight);
    }
    let mut combined: BTreeMap<String, f64> = BTreeMap::new();
    for (_, weight, scores) in groups {
        for s in scores {
            *combined.entry(s.option.clone()).or_default() += weight / total * s.normalised;
        }
    }
    Ok(sorted(
        combined
            .into_iter()
            .map(|(option, score)| OptionScore {
                option,
                raw: score,
                normalised: score,
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn pair(winner: &str, loser: &str) -> PairChoice {
        PairChoice {
            winner: winner.into(),
            loser: loser.into(),
            reason: String::new(),
        }
    }

    #[test]
    fn pairwise_counts_wins_over_comparisons() {
        let o = options(&["eau", "santé", "emploi"]);
        let s = pairwise(
            &o,
            &[
                pair("eau", "santé"),
                pair("eau", "emploi"),
                pair("emploi", "santé"),
            ],
        );
        assert_eq!(s[0].option, "eau");
        assert_eq!(s[0].normalised, 1.0);
        assert_eq!(s[1].option, "emploi");
        assert_eq!(s[1].normalised, 0.5);
        assert_eq!(s[2].normalised, 0.0);
    }

    #[test]
    fn borda_gives_n_minus_one_to_the_first_and_nothing_to_the_left_out() {
        let o = options(&["a", "b", "c"]);
        let s = borda(
            &o,
            &[
                options(&["a", "b", "c"]),
                options(&["b", "a", "c"]),
                options(&["b"]),
            ],
        );
        // a: 2 + 1 + 0 = 3; b: 1 + 2 + 2 = 5; c: 0; the most is 2 × 3 = 6.
        let by: BTreeMap<&str, f64> = s.iter().map(|x| (x.option.as_str(), x.raw)).collect();
        assert_eq!(by["a"], 3.0);
        assert_eq!(by["b"], 5.0);
        assert_eq!(by["c"], 0.0);
        assert_eq!(s[0].option, "b");
        assert!((s[0].normalised - 5.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn scores_are_means_on_the_scale() {
        let o = options(&["a", "b"]);
        let ballots = vec![
            BTreeMap::from([("a".to_string(), 5.0), ("b".to_string(), 1.0)]),
            BTreeMap::from([("a".to_string(), 3.0)]),
        ];
        let s = scoring(&o, &ballots, 1.0, 5.0);
        assert_eq!(s[0].option, "a");
        assert_eq!(s[0].raw, 4.0);
        assert_eq!(s[0].normalised, 0.75);
        assert_eq!(s[1].normalised, 0.0);
    }

    #[test]
    fn groups_combine_by_agreed_weights_not_by_summed_ranks() {
        // Women put water far ahead; youth put jobs just ahead of water.
        let women = vec![
            OptionScore {
                option: "eau".into(),
                raw: 0.0,
                normalised: 1.0,
            },
            OptionScore {
                option: "emploi".into(),
                raw: 0.0,
                normalised: 0.1,
            },
        ];
        let youth = vec![
            OptionScore {
                option: "eau".into(),
                raw: 0.0,
                normalised: 0.8,
            },
            OptionScore {
                option: "emploi".into(),
                raw: 0.0,
                normalised: 0.9,
            },
        ];
        let c = combine(&[
            ("femmes".into(), 1.0, women.clone()),
            ("jeunes".into(), 1.0, youth.clone()),
        ])
        .unwrap();
        // Ranks would tie (1st + 2nd each); the scores say water, 0.9 against 0.5.
        assert_eq!(c[0].option, "eau");
        assert!((c[0].normalised - 0.9).abs() < 1e-12);
        assert!((c[1].normalised - 0.5).abs() < 1e-12);
        // Weights are divided by their sum: 1 and 19 are 0.05 and 0.95.
        let c = combine(&[
            ("femmes".into(), 1.0, women),
            ("jeunes".into(), 19.0, youth),
        ])
        .unwrap();
        assert_eq!(c[0].option, "emploi");
        assert!((c[0].normalised - (0.05 * 0.1 + 0.95 * 0.9)).abs() < 1e-12);
        assert_eq!(
            combine(&[("x".into(), 0.0, vec![])]),
            Err(CombineError::NoWeight)
        );
    }
}
