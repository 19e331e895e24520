//! Where a survey's answers were given: the question of an instrument that names the place,
//! and its answers mapped to the diagnostic's localities. An answer that is a locality's slug,
//! name or P-code maps itself; a person maps the rest in a table; an answer mapped to nothing
//! is listed, never silently dropped. Saving the mapping makes the instrument's indicators
//! computed again on the rows it gives.

use std::collections::BTreeMap;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::community::slugify;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::Locality;
use sigida_core::instrument::Instrument;
use sigida_core::{Id, Timestamp};
use sigida_store::Store;
use sigida_xlsform::QuestionKind;

use crate::common::clean_data::{clean_with, latest_form};
use crate::{AppError, Refusal};

/// How an answer found its locality.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The answer is the locality's slug, name or P-code.
    Itself,
    /// A person mapped it.
    Mapped,
}

/// One distinct answer of the locality question.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub answer: String,
    /// How many submissions gave it.
    pub rows: usize,
    pub locality: Option<(Id<Locality>, Match)>,
}

/// A locality as the mapping table names it: `Community — Locality`.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub id: Id<Locality>,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AnswerTable {
    /// The question that names the place (set, or found), if any.
    pub question: Option<String>,
    /// The questions it could be: `(name, label)`.
    pub questions: Vec<(String, String)>,
    pub answers: Vec<Answer>,
    pub places: Vec<Place>,
}

impl AnswerTable {
    pub fn unmapped(&self) -> impl Iterator<Item = &Answer> {
        self.answers.iter().filter(|a| a.locality.is_none())
    }
}

/// The locality an answer names by itself: a locality's slug or name (any case), or the P-code
/// of exactly one locality.
fn itself(answer: &str, localities: &[Locality]) -> Option<Id<Locality>> {
    let wanted = answer.trim();
    if let Some(l) = localities
        .iter()
        .find(|l| slugify(&l.name) == wanted || l.name.eq_ignore_ascii_case(wanted))
    {
        return Some(l.id);
    }
    let by_pcode: Vec<&Locality> = localities
        .iter()
        .filter(|l| {
            l.admin_pcode
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(wanted))
        })
        .collect();
    match by_pcode.as_slice() {
        [only] => Some(only.id),
        _ => None,
    }
}

/// The table of `instrument`'s answers for `question` (else the one set, else the first
/// question whose answers name localities), in `language` for the questions' labels.
pub async fn answer_table(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
    question: Option<&str>,
    language: &str,
) -> Result<AnswerTable, AppError> {
    let form = latest_form(store, diagnostic, instrument).await?;
    let mut localities = Vec::new();
    let mut places = Vec::new();
    for c in store.communities(diagnostic.id).await? {
        for l in store.localities(c.id).await? {
            places.push(Place {
                id: l.id,
                name: format!("{} — {}", c.name, l.name),
            });
            localities.push(l);
        }
    }
    let questions: Vec<(String, String)> = form
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.kind,
                QuestionKind::SelectOne { .. }
                    | QuestionKind::Text
                    | QuestionKind::Calculate
                    | QuestionKind::Hidden
            )
        })
        .map(|q| {
            let label = form.text(&q.label, language).unwrap_or(&q.name);
            (q.name.clone(), format!("{} — {label}", q.name))
        })
        .collect();
    let log = store.cleaning_log(instrument.id).await?;
    let has_data = !store.instrument_import_ids(instrument.id).await?.is_empty();
    let table = if has_data {
        Some(clean_with(store, instrument, &form, &log).await?.0)
    } else {
        None
    };
    let count = |name: &str| -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        if let Some(t) = &table
            && let Some(c) = t.column(name)
        {
            for (_, cells) in &t.rows {
                let v = cells.get(c).map_or("", |v| v.trim());
                if !v.is_empty() {
                    *counts.entry(v.to_owned()).or_insert(0) += 1;
                }
            }
        }
        counts
    };
    let chosen = match question {
        Some(q) => Some(q.to_owned()),
        None => match store.locality_question(instrument.id).await? {
            Some(q) => Some(q),
            None => questions
                .iter()
                .map(|(name, _)| name)
                .find(|name| count(name).keys().any(|a| itself(a, &localities).is_some()))
                .cloned(),
        },
    };
    let mapped = store.locality_answers(instrument.id).await?;
    let answers = match &chosen {
        None => Vec::new(),
        Some(name) => count(name)
            .into_iter()
            .map(|(answer, rows)| {
                let locality = mapped
                    .iter()
                    .find(|(a, _)| *a == answer)
                    .map(|(_, id)| (*id, Match::Mapped))
                    .or_else(|| itself(&answer, &localities).map(|id| (id, Match::Itself)));
                Answer {
                    answer,
                    rows,
                    locality,
                }
            })
            .collect(),
    };
    Ok(AnswerTable {
        question: chosen,
        questions,
        answers,
        places,
    })
}

/// Saves the locality question of `instrument` and the answers a person mapped (an answer
/// mapped to `None` is left to map itself, or unmapped); audited. The instrument's indicators
/// are computed again on the rows this gives.
pub async fn save_mapping(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
    question: &str,
    mapping: &[(String, Option<Id<Locality>>)],
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    let form = latest_form(store, diagnostic, instrument).await?;
    if form.question(question).is_none() {
        return Err(Refusal::new("localities.question")
            .arg("field", "question")
            .arg("question", question)
            .into());
    }
    let mut known = Vec::new();
    for c in store.communities(diagnostic.id).await? {
        known.extend(store.localities(c.id).await?.into_iter().map(|l| l.id));
    }
    let answers: Vec<(String, Id<Locality>)> = mapping
        .iter()
        .filter_map(|(a, l)| l.map(|l| (a.clone(), l)))
        .collect();
    if let Some((answer, _)) = answers.iter().find(|(_, l)| !known.contains(l)) {
        return Err(Refusal::new("localities.unknown")
            .arg("answer", answer.as_str())
            .into());
    }
    let mut tx = store.begin().await?;
    tx.set_locality_mapping(instrument.id, question, &answers)
        .await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::RegisterChanged,
        subject: format!("instrument:{}", instrument.id),
        detail: format!(
            "localités : question {question}, {} réponses rattachées",
            answers.len()
        ),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
