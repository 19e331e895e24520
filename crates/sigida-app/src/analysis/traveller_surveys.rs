//! A community's traveller surveys (instruments of kind `flow_survey`): the answers to each
//! closed question of the form, as shares with the estimation engine, and the legs of the
//! routes travellers describe, on the clean data of the community's monitoring points.
//!
//! Travellers are met where they pass, not drawn from a frame: shares are unweighted and their
//! intervals assume a simple random sample, as the page says.

use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::disclosure::publish;
use sigida_core::flows::segments;
use sigida_core::instrument::InstrumentKind;
use sigida_formats::table::Table;
use sigida_report::flows::{AnswerShares, OptionShare, TravellerSurvey};
use sigida_store::Store;
use sigida_survey::Z95;
use sigida_survey::table::{Measure, TableSpec, estimate_table};
use sigida_xlsform::{Form, Question, QuestionKind};

use crate::common::clean_data::{
    DatasetError, clean_with, community_answers, latest_form, log_version,
};

/// Questions named `route_1`, `route_2`… hold the places of a traveller's route in order.
const ROUTE_PREFIX: &str = "route_";

fn route_stage(name: &str) -> Option<u32> {
    name.strip_prefix(ROUTE_PREFIX)?.parse().ok()
}

/// Every traveller survey of the diagnostic, on the rows of the community's localities.
pub async fn community_traveller_surveys(
    store: &Store,
    diagnostic: &Diagnostic,
    community: &Community,
    language: &str,
) -> Result<Vec<TravellerSurvey>, DatasetError> {
    let mut out = Vec::new();
    for instrument in store.instruments(diagnostic.id).await? {
        if instrument.kind != InstrumentKind::FlowSurvey
            || store.instrument_import_ids(instrument.id).await?.is_empty()
        {
            continue;
        }
        // The form and the log once each: the clean data and its provenance both need them.
        let form = latest_form(store, diagnostic, &instrument).await?;
        let log = store.cleaning_log(instrument.id).await?;
        let (clean, _) = clean_with(store, &instrument, &form, &log).await?;
        let localities = community_answers(store, instrument.id, community).await?;
        // Estimating holds a core: off the async runtime.
        let (slugs, language_owned, min_cell) =
            (localities.clone(), language.to_owned(), diagnostic.min_cell);
        let analysed = crate::common::clean_data::off_runtime(move || {
            analyse(&form, &clean, &slugs, &language_owned, min_cell)
        })
        .await?;
        if let Some(survey) = analysed {
            out.push(TravellerSurvey {
                instrument: instrument.name.clone(),
                log_version: log_version(&log),
                ..survey
            });
        }
    }
    Ok(out)
}

/// The question whose answers are locality slugs: where each traveller was met.
fn locality_question<'f>(form: &'f Form, localities: &[String]) -> Option<&'f Question> {
    form.questions.iter().find(|q| {
        matches!(q.kind, QuestionKind::SelectOne { .. })
            && q.kind
                .list()
                .and_then(|l| form.list(l))
                .is_some_and(|list| list.choices.iter().any(|c| localities.contains(&c.name)))
    })
}

fn choice_label(form: &Form, question: &Question, option: &str, language: &str) -> String {
    question
        .kind
        .list()
        .and_then(|l| form.list(l))
        .and_then(|list| list.choices.iter().find(|c| c.name == option))
        .and_then(|c| form.text(&c.label, language))
        .unwrap_or(option)
        .to_owned()
}

/// The survey's figures on the rows met in `localities`; `None` when the form does not say
/// where travellers were met.
/// The question a survey asks first to decide whether to go on (consent): the relevance of
/// every other question with a label depends on it. Every respondent counted gave the same
/// answer to it, so it describes the survey, not the travellers.
fn is_gate(form: &Form, name: &str) -> bool {
    let reference = format!("${{{name}}}");
    let mut others = form
        .questions
        .iter()
        .filter(|q| q.name != name && !q.label.is_empty())
        .peekable();
    others.peek().is_some()
        && others.all(|q| {
            q.relevant
                .as_deref()
                .is_some_and(|r| r.contains(&reference))
        })
}

pub fn analyse(
    form: &Form,
    table: &Table,
    localities: &[String],
    language: &str,
    min_cell: u64,
) -> Option<TravellerSurvey> {
    let place = locality_question(form, localities)?;
    let place_column = table.column(&place.name)?;
    let rows: Vec<(usize, Vec<String>)> = table
        .rows
        .iter()
        .filter(|(_, cells)| {
            cells
                .get(place_column)
                .is_some_and(|v| localities.iter().any(|l| l == v.trim()))
        })
        .cloned()
        .collect();
    let mut questions = Vec::new();
    for question in &form.questions {
        let multiple = match question.kind {
            QuestionKind::SelectOne { .. } => false,
            QuestionKind::SelectMultiple { .. } => true,
            _ => continue,
        };
        if question.name == place.name
            || question.personal.is_some()
            || route_stage(&question.name).is_some()
            || is_gate(form, &question.name)
        {
            continue;
        }
        if let Some(shares) =
            answer_shares(form, question, multiple, table, &rows, language, min_cell)
        {
            questions.push(shares);
        }
    }
    // A leg fewer travellers took than the threshold is not published, only counted.
    let (legs, small): (Vec<_>, Vec<_>) = route_segments(form, table, &rows, language)
        .into_iter()
        .partition(|leg| leg.travellers >= min_cell);
    let small_legs = small.len();
    Some(TravellerSurvey {
        instrument: String::new(),
        log_version: String::new(),
        respondents: rows.len() as u64,
        questions,
        segments: legs,
        small_legs,
        min_cell,
    })
}

/// Each option's share among those who answered, with its 95 % interval; an option chosen by
/// fewer than the threshold is suppressed.
fn answer_shares(
    form: &Form,
    question: &Question,
    multiple: bool,
    table: &Table,
    rows: &[(usize, Vec<String>)],
    language: &str,
    min_cell: u64,
) -> Option<AnswerShares> {
    let list = form.list(question.kind.list()?)?;
    let main = table.column(&question.name);
    let mut options = Vec::new();
    let mut answered = 0;
    for choice in &list.choices {
        // The answers' own column when the export has it, else the option's 0/1 column.
        let split = format!("{}/{}", question.name, choice.name);
        let (column, option) = match (main, table.column(&split)) {
            (Some(_), _) => (question.name.as_str(), choice.name.as_str()),
            (None, Some(_)) => (split.as_str(), "1"),
            (None, None) => continue,
        };
        let spec = TableSpec {
            weight: None,
            strata: None,
            cluster: None,
            by: &[],
            measure: Measure::Share { column, option },
        };
        let Ok(estimates) = estimate_table(&table.headers, rows, &spec) else {
            continue;
        };
        let Some(e) = estimates.first().map(|r| r.estimate) else {
            continue;
        };
        answered = answered.max(e.n);
        let count = (e.estimate * e.n as f64).round() as u64;
        // An answer nobody gave here (the list serves every community) is left out.
        if count == 0 {
            continue;
        }
        options.push(OptionShare {
            option: choice.name.clone(),
            label: form
                .text(&choice.label, language)
                .unwrap_or(&choice.name)
                .to_owned(),
            count: publish(count, count, min_cell),
            share: publish(
                (
                    e.estimate,
                    (e.estimate - Z95 * e.se).max(0.0),
                    (e.estimate + Z95 * e.se).min(1.0),
                ),
                count,
                min_cell,
            ),
        });
    }
    if answered == 0 {
        return None;
    }
    // Largest first, as a traveller-survey dashboard reads; suppressed options last.
    options.sort_by(|a, b| {
        let key = |o: &OptionShare| match o.share {
            sigida_core::disclosure::Cell::Shown((s, _, _)) => s,
            sigida_core::disclosure::Cell::Suppressed => -1.0,
        };
        key(b).total_cmp(&key(a))
    });
    Some(AnswerShares {
        question: question.name.clone(),
        label: form
            .text(&question.label, language)
            .unwrap_or(&question.name)
            .to_owned(),
        multiple,
        respondents: answered,
        options,
    })
}

/// The legs of the routes: the `route_N` questions' answers in order of N, labelled.
fn route_segments(
    form: &Form,
    table: &Table,
    rows: &[(usize, Vec<String>)],
    language: &str,
) -> Vec<sigida_core::flows::Segment> {
    let mut stages: Vec<(u32, &Question, usize)> = form
        .questions
        .iter()
        .filter_map(|q| Some((route_stage(&q.name)?, q, table.column(&q.name)?)))
        .collect();
    stages.sort_by_key(|(n, _, _)| *n);
    if stages.len() < 2 {
        return Vec::new();
    }
    let routes = rows.iter().map(|(_, cells)| {
        stages
            .iter()
            .map(|(_, q, c)| {
                let answer = cells.get(*c).map_or("", |v| v.trim());
                if answer.is_empty() {
                    String::new()
                } else {
                    choice_label(form, q, answer, language)
                }
            })
            .collect::<Vec<String>>()
    });
    segments(routes)
}

#[cfg(test)]
mod tests {
    use sigida_core::disclosure::Cell;

    use super::*;

    fn table(name: &str, rows: &[&[&str]]) -> Table {
        Table::sheet("form.xlsx", name, rows)
    }

    fn form() -> Form {
        let survey = table(
            "survey",
            &[
                &["type", "name", "label"],
                &["select_one place", "point", "Point"],
                &["select_one why", "reason", "Raison"],
                &["select_multiple need", "needs", "Besoins"],
                &["select_one stop", "route_2", "Étape 2"],
                &["select_one stop", "route_1", "Étape 1"],
                &["text", "remark", "Remarque"],
            ],
        );
        let choices = table(
            "choices",
            &[
                &["list_name", "name", "label"],
                &["place", "a", "A"],
                &["place", "z", "Z"],
                &["why", "work", "Travail"],
                &["why", "family", "Famille"],
                &["why", "studies", "Études"],
                &["need", "food", "Nourriture"],
                &["need", "water", "Eau"],
                &["stop", "gao", "Gao"],
                &["stop", "kidal", "Kidal"],
                &["stop", "ansongo", "Ansongo"],
            ],
        );
        sigida_xlsform::read::read_sheets("form.xlsx", &[survey, choices]).unwrap()
    }

    #[test]
    fn shares_legs_and_the_small_cell_rule_on_the_community_rows_only() {
        let mut rows: Vec<Vec<&str>> = vec![vec!["point", "reason", "needs", "route_1", "route_2"]];
        for i in 0..12 {
            let reason = if i < 7 { "work" } else { "family" };
            let needs = if i < 3 {
                "food water"
            } else if i < 10 {
                "food"
            } else {
                ""
            };
            // Ten went from Gao to Kidal, two from Ansongo to Gao.
            let (from, to) = if i < 10 {
                ("gao", "kidal")
            } else {
                ("ansongo", "gao")
            };
            rows.push(vec!["a", reason, needs, from, to]);
        }
        // Another community's point: left out.
        for _ in 0..5 {
            rows.push(vec!["z", "studies", "water", "kidal", "gao"]);
        }
        let refs: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let data = table("data", &refs);
        let survey = analyse(&form(), &data, &["a".into()], "fr", 5).unwrap();
        assert_eq!(survey.respondents, 12);
        let names: Vec<&str> = survey
            .questions
            .iter()
            .map(|q| q.question.as_str())
            .collect();
        assert_eq!(
            names,
            ["reason", "needs"],
            "no point, no route stage, no text"
        );

        let reason = &survey.questions[0];
        assert_eq!(reason.respondents, 12);
        let shown: Vec<(&str, Cell<u64>)> = reason
            .options
            .iter()
            .map(|o| (o.label.as_str(), o.count))
            .collect();
        assert_eq!(
            shown,
            [("Travail", Cell::Shown(7)), ("Famille", Cell::Shown(5))],
            "largest first; nobody here chose studies"
        );
        let Cell::Shown((share, low, high)) = reason.options[0].share else {
            panic!("7 travellers are published");
        };
        assert!((share - 7.0 / 12.0).abs() < 1e-12);
        assert!(low < share && share < high && low >= 0.0 && high <= 1.0);

        let needs = &survey.questions[1];
        assert!(needs.multiple);
        assert_eq!(needs.respondents, 10, "two gave no answer");
        assert_eq!(needs.options[0].label, "Nourriture");
        assert_eq!(needs.options[0].count, Cell::Shown(10));
        assert_eq!(needs.options[1].label, "Eau");
        assert_eq!(needs.options[1].share, Cell::Suppressed, "3 travellers");
        assert_eq!(needs.options[1].count, Cell::Suppressed);

        assert_eq!(
            survey.segments,
            [sigida_core::flows::Segment {
                from: "Gao".into(),
                to: "Kidal".into(),
                travellers: 10,
            }],
            "stages in the order of their numbers, labelled"
        );
        assert_eq!(survey.small_legs, 1, "Ansongo → Gao: 2 travellers");
    }

    #[test]
    fn a_form_that_does_not_say_where_travellers_were_met_gives_nothing() {
        let data = table("data", &[&["point"], &["q"]]);
        assert!(analyse(&form(), &data, &["elsewhere".into()], "fr", 5).is_none());
    }
}
