//! What the team records of its field work in a community: the participatory exercises as the
//! facilitators typed them, and the protection capacities and opportunities it found.

use sigida_core::community::Community;
use sigida_core::exercises::{
    Exercise, ExerciseData, ExerciseKind, parse_calendar, parse_mobility_map,
    parse_objectives_tree, parse_pairwise, parse_problem_tree, parse_stakeholder_matrix,
    parse_swot, parse_timeline, parse_venn,
};
use sigida_core::protection::Capacity;
use sigida_core::{Id, Timestamp};
use sigida_store::Store;

use crate::{AppError, Refusal};

/// An exercise as the facilitators typed it: the kind's code, title, group code (empty for a
/// mixed group), date (`AAAA-MM-JJ`) and one entry per line (SWOT: four blocks separated by
/// `---`).
pub struct TypedExercise<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub group: &'a str,
    pub date: &'a str,
    pub data: &'a str,
}

/// Reads a typed exercise; a refusal names the field, or the line and what it should hold.
pub fn read_exercise(
    typed: &TypedExercise<'_>,
    id: Id<Exercise>,
    community: Id<Community>,
) -> Result<Exercise, Refusal> {
    let kind: ExerciseKind = typed
        .kind
        .parse()
        .map_err(|_| Refusal::new("exercise.kind").arg("value", typed.kind))?;
    let title = typed.title.trim();
    if title.is_empty() {
        return Err(Refusal::new("exercise.title"));
    }
    let group = match typed.group {
        "" => None,
        code => Some(
            code.parse()
                .map_err(|_| Refusal::new("exercise.group").arg("value", code))?,
        ),
    };
    let date = typed.date.trim();
    let held_on = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| Refusal::new("exercise.date").arg("value", date))?;
    Ok(Exercise {
        id,
        community_id: community,
        title: title.to_owned(),
        group,
        held_on,
        data: exercise_data(kind, typed.data)?,
    })
}

fn exercise_data(kind: ExerciseKind, text: &str) -> Result<ExerciseData, Refusal> {
    let data = match kind {
        ExerciseKind::Timeline => parse_timeline(text),
        ExerciseKind::SeasonalCalendar => parse_calendar(text),
        ExerciseKind::PairwiseRanking => parse_pairwise(text),
        ExerciseKind::Venn => parse_venn(text),
        ExerciseKind::ProblemTree => parse_problem_tree(text),
        ExerciseKind::ObjectivesTree => parse_objectives_tree(text),
        ExerciseKind::StakeholderMatrix => parse_stakeholder_matrix(text),
        ExerciseKind::MobilityMap => parse_mobility_map(text),
        ExerciseKind::Swot => {
            let blocks: Vec<&str> = text.split("---").collect();
            let [strengths, weaknesses, opportunities, threats] = blocks[..] else {
                return Err(
                    Refusal::new("exercise.swot_blocks").arg("count", blocks.len().to_string())
                );
            };
            return Ok(parse_swot(strengths, weaknesses, opportunities, threats));
        }
    };
    data.map_err(|e| e.refusal)
}

/// Records an exercise (already read from the facilitators' lines).
pub async fn record_exercise(
    store: &Store,
    exercise: &Exercise,
    at: Timestamp,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.insert_exercise(exercise, at).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a capacity or opportunity of the community: it needs a name.
pub async fn add_capacity(store: &Store, capacity: &Capacity) -> Result<(), AppError> {
    if capacity.name.trim().is_empty() {
        return Err(Refusal::new("protection.capacity_name").into());
    }
    let mut tx = store.begin().await?;
    tx.insert_capacity(capacity).await?;
    tx.commit().await?;
    Ok(())
}
