//! Community exercises (PRA / MARP tools) kept as data: the historical timeline, the seasonal
//! calendar, pairwise ranking and the SWOT (FFOM) matrix. The facilitator types them in the
//! field as short lines (one event, one activity, one pair per line), which are read here with
//! errors that name the line.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::actors::GroupKind;
use crate::community::Community;
use crate::id::Id;
use crate::vocabulary;

vocabulary! {
    ExerciseKind "exercise" {
        Timeline = "timeline",
        SeasonalCalendar = "seasonal_calendar",
        PairwiseRanking = "pairwise_ranking",
        Swot = "swot",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub year: i32,
    pub event: String,
}

/// One activity or phenomenon across the year: intensity 0 (none) to 3 (high) each month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarRow {
    pub label: String,
    pub months: [u8; 12],
}

/// One cell of a pairwise ranking: which of two items the group chose, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairChoice {
    pub winner: String,
    pub loser: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum ExerciseData {
    Timeline(Vec<TimelineEvent>),
    SeasonalCalendar(Vec<CalendarRow>),
    PairwiseRanking {
        items: Vec<String>,
        choices: Vec<PairChoice>,
    },
    Swot {
        strengths: Vec<String>,
        weaknesses: Vec<String>,
        opportunities: Vec<String>,
        threats: Vec<String>,
    },
}

impl ExerciseData {
    pub fn kind(&self) -> ExerciseKind {
        match self {
            ExerciseData::Timeline(_) => ExerciseKind::Timeline,
            ExerciseData::SeasonalCalendar(_) => ExerciseKind::SeasonalCalendar,
            ExerciseData::PairwiseRanking { .. } => ExerciseKind::PairwiseRanking,
            ExerciseData::Swot { .. } => ExerciseKind::Swot,
        }
    }
}

/// One exercise run with one group on one day.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exercise {
    pub id: Id<Exercise>,
    pub community_id: Id<Community>,
    pub title: String,
    /// The group it was run with (`None`: a mixed or community-wide session).
    pub group: Option<GroupKind>,
    pub held_on: Date,
    pub data: ExerciseData,
}

/// A line that cannot be read: its number (1-based) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("ligne {line} : {message}")]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn fail(line: usize, message: impl Into<String>) -> LineError {
    LineError {
        line,
        message: message.into(),
    }
}

/// `1973 | Grande sécheresse` per line.
pub fn parse_timeline(text: &str) -> Result<ExerciseData, LineError> {
    let mut events = Vec::new();
    for (n, line) in lines(text) {
        let (year, event) = line
            .split_once('|')
            .ok_or_else(|| fail(n, "attendu « année | événement »"))?;
        let year = year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1800..=2100).contains(y))
            .ok_or_else(|| fail(n, format!("« {} » : attendu une année", year.trim())))?;
        events.push(TimelineEvent {
            year,
            event: event.trim().to_owned(),
        });
    }
    if events.is_empty() {
        return Err(fail(1, "aucun événement"));
    }
    events.sort_by_key(|e| e.year);
    Ok(ExerciseData::Timeline(events))
}

/// `Migration vers Dakar | 0 0 1 2 3 3 2 1 0 0 0 0` per line (January to December, 0–3).
pub fn parse_calendar(text: &str) -> Result<ExerciseData, LineError> {
    let mut rows = Vec::new();
    for (n, line) in lines(text) {
        let (label, values) = line
            .split_once('|')
            .ok_or_else(|| fail(n, "attendu « activité | 12 valeurs de 0 à 3 »"))?;
        let values: Vec<&str> = values.split_whitespace().collect();
        if values.len() != 12 {
            return Err(fail(
                n,
                format!(
                    "{} valeurs : attendu 12, de janvier à décembre",
                    values.len()
                ),
            ));
        }
        let mut months = [0u8; 12];
        for (m, v) in values.iter().enumerate() {
            months[m] = v
                .parse::<u8>()
                .ok()
                .filter(|v| *v <= 3)
                .ok_or_else(|| fail(n, format!("« {v} » : attendu 0, 1, 2 ou 3")))?;
        }
        rows.push(CalendarRow {
            label: label.trim().to_owned(),
            months,
        });
    }
    if rows.is_empty() {
        return Err(fail(1, "aucune activité"));
    }
    Ok(ExerciseData::SeasonalCalendar(rows))
}

/// `Eau potable > Emploi des jeunes | la saison sèche est longue` per line: the item on the
/// left of `>` wins. Every pair of items must be ranked once.
pub fn parse_pairwise(text: &str) -> Result<ExerciseData, LineError> {
    let mut items: Vec<String> = Vec::new();
    let mut choices = Vec::new();
    for (n, line) in lines(text) {
        let (pair, reason) = line.split_once('|').unwrap_or((line, ""));
        let (winner, loser) = pair
            .split_once('>')
            .ok_or_else(|| fail(n, "attendu « gagnant > perdant | raison »"))?;
        let (winner, loser) = (winner.trim().to_owned(), loser.trim().to_owned());
        if winner.is_empty() || loser.is_empty() || winner == loser {
            return Err(fail(
                n,
                "attendu deux éléments différents de part et d'autre de « > »",
            ));
        }
        let twice = choices.iter().any(|c: &PairChoice| {
            (c.winner == winner && c.loser == loser) || (c.winner == loser && c.loser == winner)
        });
        if twice {
            return Err(fail(
                n,
                format!("la paire « {winner} » / « {loser} » est déjà classée"),
            ));
        }
        for item in [&winner, &loser] {
            if !items.contains(item) {
                items.push(item.clone());
            }
        }
        choices.push(PairChoice {
            winner,
            loser,
            reason: reason.trim().to_owned(),
        });
    }
    let expected = items.len() * items.len().saturating_sub(1) / 2;
    if items.len() < 2 || choices.len() != expected {
        return Err(fail(
            lines(text).last().map_or(1, |(n, _)| n),
            format!(
                "{} paires classées pour {} éléments : attendu {expected} (chaque paire une fois)",
                choices.len(),
                items.len()
            ),
        ));
    }
    Ok(ExerciseData::PairwiseRanking { items, choices })
}

/// Four lists, each item on its own line.
pub fn parse_swot(
    strengths: &str,
    weaknesses: &str,
    opportunities: &str,
    threats: &str,
) -> ExerciseData {
    let list = |text: &str| lines(text).map(|(_, l)| l.to_owned()).collect();
    ExerciseData::Swot {
        strengths: list(strengths),
        weaknesses: list(weaknesses),
        opportunities: list(opportunities),
        threats: list(threats),
    }
}

/// A pairwise ranking's result: each item with its number of wins, most first (ties keep
/// the order the items were named in).
pub fn pairwise_scores(items: &[String], choices: &[PairChoice]) -> Vec<(String, usize)> {
    let mut scores: Vec<(String, usize)> = items
        .iter()
        .map(|i| (i.clone(), choices.iter().filter(|c| &c.winner == i).count()))
        .collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.1));
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_reads_and_sorts_by_year() {
        let data = parse_timeline("1984 | Sécheresse\n\n1973 | Grande famine\n").unwrap();
        let ExerciseData::Timeline(events) = data else {
            panic!()
        };
        assert_eq!(events[0].year, 1973);
        assert_eq!(parse_timeline("hier | rien").unwrap_err().line, 1);
        assert_eq!(parse_timeline("1990 | a\n1990 rien").unwrap_err().line, 2);
    }

    #[test]
    fn a_calendar_needs_twelve_values_from_0_to_3() {
        assert!(parse_calendar("Pluies | 0 0 0 0 1 2 3 3 2 1 0 0").is_ok());
        let e = parse_calendar("Pluies | 0 0 0 0 1 2 3 3 2 1 0").unwrap_err();
        assert!(e.message.contains("11 valeurs"), "{e}");
        let e =
            parse_calendar("Pluies | 0 0 0 0 1 2 3 3 2 1 0 0\nDéparts | 0 0 0 0 1 2 3 3 2 1 0 5")
                .unwrap_err();
        assert_eq!((e.line, e.message.contains("« 5 »")), (2, true));
    }

    #[test]
    fn pairwise_ranking_needs_every_pair_once_and_scores_wins() {
        let text = "Eau > Emploi | saison sèche\nEmploi > Santé | les jeunes partent\nEau > Santé | corvée d'eau";
        let ExerciseData::PairwiseRanking { items, choices } = parse_pairwise(text).unwrap() else {
            panic!()
        };
        let scores = pairwise_scores(&items, &choices);
        assert_eq!(scores[0], ("Eau".to_owned(), 2));
        assert_eq!(scores[2], ("Santé".to_owned(), 0));
        let missing = parse_pairwise("Eau > Emploi\nEmploi > Santé").unwrap_err();
        assert!(missing.message.contains("attendu 3"), "{missing}");
        let twice = parse_pairwise("Eau > Emploi\nEmploi > Eau").unwrap_err();
        assert_eq!(twice.line, 2);
    }
}
