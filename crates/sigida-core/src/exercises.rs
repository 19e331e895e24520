//! Community exercises (PRA / MARP tools) kept as data: the historical timeline, the seasonal
//! calendar, pairwise ranking and the SWOT (FFOM) matrix. The facilitator types them in the
//! field as short lines (one event, one activity, one pair per line), which are read here with
//! errors that name the line.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::actors::GroupKind;
use crate::community::Community;
use crate::id::Id;
use crate::refusal::Refusal;
use crate::vocabulary;

vocabulary! {
    ExerciseKind "exercise" {
        Timeline = "timeline",
        SeasonalCalendar = "seasonal_calendar",
        PairwiseRanking = "pairwise_ranking",
        Swot = "swot",
        Venn = "venn",
        ProblemTree = "problem_tree",
        ObjectivesTree = "objectives_tree",
        StakeholderMatrix = "stakeholder_matrix",
        MobilityMap = "mobility_map",
    }
}

/// An institution in a Venn diagram: how important it is to the group and how close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VennCircle {
    pub institution: String,
    /// 1 (minor) to 3 (major): the circle's size.
    pub importance: u8,
    /// 1 (inside the community's life) to 3 (far away): the circle's distance.
    pub distance: u8,
}

/// A problem tree (causes below the core problem, effects above) or an objectives tree (means
/// below the objective, ends above).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub core: String,
    pub below: Vec<String>,
    pub above: Vec<String>,
}

/// A stakeholder placed by influence and interest, each 1 to 5.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StakeholderPlace {
    pub stakeholder: String,
    pub influence: u8,
    pub interest: u8,
}

/// A place people of the community go to: how far, how often (1–3), why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    pub place: String,
    pub distance_km: u32,
    pub frequency: u8,
    pub purpose: String,
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
    Venn(Vec<VennCircle>),
    ProblemTree(Tree),
    ObjectivesTree(Tree),
    StakeholderMatrix(Vec<StakeholderPlace>),
    MobilityMap(Vec<Destination>),
}

impl ExerciseData {
    pub fn kind(&self) -> ExerciseKind {
        match self {
            ExerciseData::Timeline(_) => ExerciseKind::Timeline,
            ExerciseData::SeasonalCalendar(_) => ExerciseKind::SeasonalCalendar,
            ExerciseData::PairwiseRanking { .. } => ExerciseKind::PairwiseRanking,
            ExerciseData::Swot { .. } => ExerciseKind::Swot,
            ExerciseData::Venn(_) => ExerciseKind::Venn,
            ExerciseData::ProblemTree(_) => ExerciseKind::ProblemTree,
            ExerciseData::ObjectivesTree(_) => ExerciseKind::ObjectivesTree,
            ExerciseData::StakeholderMatrix(_) => ExerciseKind::StakeholderMatrix,
            ExerciseData::MobilityMap(_) => ExerciseKind::MobilityMap,
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

/// A line that cannot be read: its number (1-based) and the refusal saying what was expected
/// (its `line` slot holds the number).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("ligne {line} : {refusal}")]
pub struct LineError {
    pub line: usize,
    pub refusal: Refusal,
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// The refusal `exercise.<code>` on a line.
fn fail(line: usize, refusal: Refusal) -> LineError {
    LineError {
        line,
        refusal: refusal.arg("line", line.to_string()),
    }
}

/// `1973 | Grande sécheresse` per line.
pub fn parse_timeline(text: &str) -> Result<ExerciseData, LineError> {
    let mut events = Vec::new();
    for (n, line) in lines(text) {
        let (year, event) = line
            .split_once('|')
            .ok_or_else(|| fail(n, Refusal::new("exercise.timeline_line")))?;
        let year = year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1800..=2100).contains(y))
            .ok_or_else(|| fail(n, Refusal::new("exercise.year").arg("value", year.trim())))?;
        events.push(TimelineEvent {
            year,
            event: event.trim().to_owned(),
        });
    }
    if events.is_empty() {
        return Err(fail(1, Refusal::new("exercise.no_events")));
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
            .ok_or_else(|| fail(n, Refusal::new("exercise.calendar_line")))?;
        let values: Vec<&str> = values.split_whitespace().collect();
        if values.len() != 12 {
            return Err(fail(
                n,
                Refusal::new("exercise.calendar_count").arg("count", values.len().to_string()),
            ));
        }
        let mut months = [0u8; 12];
        for (m, v) in values.iter().enumerate() {
            months[m] =
                v.parse::<u8>().ok().filter(|v| *v <= 3).ok_or_else(|| {
                    fail(n, Refusal::new("exercise.calendar_value").arg("value", *v))
                })?;
        }
        rows.push(CalendarRow {
            label: label.trim().to_owned(),
            months,
        });
    }
    if rows.is_empty() {
        return Err(fail(1, Refusal::new("exercise.no_activities")));
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
            .ok_or_else(|| fail(n, Refusal::new("exercise.pairwise_line")))?;
        let (winner, loser) = (winner.trim().to_owned(), loser.trim().to_owned());
        if winner.is_empty() || loser.is_empty() || winner == loser {
            return Err(fail(n, Refusal::new("exercise.pairwise_same")));
        }
        let twice = choices.iter().any(|c: &PairChoice| {
            (c.winner == winner && c.loser == loser) || (c.winner == loser && c.loser == winner)
        });
        if twice {
            return Err(fail(
                n,
                Refusal::new("exercise.pairwise_twice")
                    .arg("winner", winner.as_str())
                    .arg("loser", loser.as_str()),
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
            Refusal::new("exercise.pairwise_count")
                .arg("ranked", choices.len().to_string())
                .arg("items", items.len().to_string())
                .arg("expected", expected.to_string()),
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

/// The `|`-separated fields of a line, trimmed; exactly `count` of them.
fn fields(n: usize, line: &str, count: usize, expected: Refusal) -> Result<Vec<String>, LineError> {
    let parts: Vec<String> = line.split('|').map(|p| p.trim().to_owned()).collect();
    if parts.len() != count || parts[0].is_empty() {
        return Err(fail(n, expected));
    }
    Ok(parts)
}

/// A whole number between `low` and `high`.
fn scale(n: usize, text: &str, low: u32, high: u32) -> Result<u32, LineError> {
    text.parse::<u32>()
        .ok()
        .filter(|v| (low..=high).contains(v))
        .ok_or_else(|| {
            fail(
                n,
                Refusal::new("exercise.scale")
                    .arg("value", text)
                    .arg("low", low.to_string())
                    .arg("high", high.to_string()),
            )
        })
}

/// `Mairie | 3 | 1` per line: institution, importance 1–3, distance 1–3.
pub fn parse_venn(text: &str) -> Result<ExerciseData, LineError> {
    let mut circles = Vec::new();
    for (n, line) in lines(text) {
        let f = fields(n, line, 3, Refusal::new("exercise.venn_line"))?;
        circles.push(VennCircle {
            institution: f[0].clone(),
            importance: scale(n, &f[1], 1, 3)? as u8,
            distance: scale(n, &f[2], 1, 3)? as u8,
        });
    }
    if circles.is_empty() {
        return Err(fail(1, Refusal::new("exercise.no_institutions")));
    }
    Ok(ExerciseData::Venn(circles))
}

/// `centre | …` once, then `dessous | …` (causes or means) and `dessus | …` (effects or ends).
fn parse_tree(text: &str) -> Result<Tree, LineError> {
    let mut tree = Tree {
        core: String::new(),
        below: Vec::new(),
        above: Vec::new(),
    };
    for (n, line) in lines(text) {
        let f = fields(n, line, 2, Refusal::new("exercise.tree_line"))?;
        match f[0].to_lowercase().as_str() {
            "centre" | "problème" | "probleme" | "objectif" => {
                if !tree.core.is_empty() {
                    return Err(fail(n, Refusal::new("exercise.one_core")));
                }
                tree.core = f[1].clone();
            }
            "cause" | "moyen" | "racine" => tree.below.push(f[1].clone()),
            "effet" | "fin" | "conséquence" | "consequence" => tree.above.push(f[1].clone()),
            other => {
                return Err(fail(
                    n,
                    Refusal::new("exercise.tree_kind").arg("value", other),
                ));
            }
        }
    }
    if tree.core.is_empty() {
        return Err(fail(1, Refusal::new("exercise.no_core")));
    }
    Ok(tree)
}

pub fn parse_problem_tree(text: &str) -> Result<ExerciseData, LineError> {
    parse_tree(text).map(ExerciseData::ProblemTree)
}

pub fn parse_objectives_tree(text: &str) -> Result<ExerciseData, LineError> {
    parse_tree(text).map(ExerciseData::ObjectivesTree)
}

/// `Mairie | 5 | 4` per line: stakeholder, influence 1–5, interest 1–5.
pub fn parse_stakeholder_matrix(text: &str) -> Result<ExerciseData, LineError> {
    let mut places = Vec::new();
    for (n, line) in lines(text) {
        let f = fields(n, line, 3, Refusal::new("exercise.matrix_line"))?;
        places.push(StakeholderPlace {
            stakeholder: f[0].clone(),
            influence: scale(n, &f[1], 1, 5)? as u8,
            interest: scale(n, &f[2], 1, 5)? as u8,
        });
    }
    if places.is_empty() {
        return Err(fail(1, Refusal::new("exercise.no_stakeholders")));
    }
    Ok(ExerciseData::StakeholderMatrix(places))
}

/// `Kayes | 95 | 3 | marché` per line: place, distance in km, frequency 1–3, purpose.
pub fn parse_mobility_map(text: &str) -> Result<ExerciseData, LineError> {
    let mut places = Vec::new();
    for (n, line) in lines(text) {
        let f = fields(n, line, 4, Refusal::new("exercise.mobility_line"))?;
        places.push(Destination {
            place: f[0].clone(),
            distance_km: scale(n, &f[1], 0, 20_000)?,
            frequency: scale(n, &f[2], 1, 3)? as u8,
            purpose: f[3].clone(),
        });
    }
    if places.is_empty() {
        return Err(fail(1, Refusal::new("exercise.no_places")));
    }
    Ok(ExerciseData::MobilityMap(places))
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
        assert_eq!(e.refusal.code, "exercise.calendar_count");
        assert!(e.refusal.args.contains(&("count", "11".into())), "{e}");
        let e =
            parse_calendar("Pluies | 0 0 0 0 1 2 3 3 2 1 0 0\nDéparts | 0 0 0 0 1 2 3 3 2 1 0 5")
                .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.refusal.args.contains(&("value", "5".into())), "{e}");
    }

    #[test]
    fn the_other_tools_read_their_lines_and_name_the_wrong_one() {
        assert!(parse_venn("Mairie | 3 | 1\nONG | 2 | 2").is_ok());
        assert_eq!(
            parse_venn("Mairie | 3 | 1\nONG | 4 | 2").unwrap_err().line,
            2
        );
        let ExerciseData::ProblemTree(tree) = parse_problem_tree(
            "centre | Chômage des jeunes\ncause | Pas de formation\neffet | Départs",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!((tree.below.len(), tree.above.len()), (1, 1));
        assert!(
            parse_problem_tree("cause | x").is_err(),
            "a tree needs its centre"
        );
        assert_eq!(
            parse_objectives_tree("objectif | a\nobjectif | b")
                .unwrap_err()
                .line,
            2
        );
        assert!(parse_stakeholder_matrix("Mairie | 5 | 4").is_ok());
        assert!(parse_stakeholder_matrix("Mairie | 6 | 4").is_err());
        let ExerciseData::MobilityMap(places) =
            parse_mobility_map("Kayes | 95 | 3 | marché").unwrap()
        else {
            panic!()
        };
        assert_eq!(places[0].distance_km, 95);
        assert_eq!(
            parse_mobility_map("Kayes | loin | 3 | marché")
                .unwrap_err()
                .line,
            1
        );
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
        assert_eq!(missing.refusal.code, "exercise.pairwise_count");
        assert!(
            missing.refusal.args.contains(&("expected", "3".into())),
            "{missing}"
        );
        let twice = parse_pairwise("Eau > Emploi\nEmploi > Eau").unwrap_err();
        assert_eq!(twice.line, 2);
    }
}
