//! The cleaning log: what checks found, what people decided, and clean data as raw data plus
//! the log, re-applied the same way every time. Raw data is never edited.
//!
//! The log reads and writes the layout REACH's `cleaningtools` uses (`uuid`, `question`,
//! `old_value`, `new_value`, `issue`, `change_type` = `change_response` / `blank_response` /
//! `remove_survey` / `no_action`), with Sigida's own columns beside it (`check`, `author`,
//! `date`).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
pub use sigida_core::cleaning::{Decision, LOG_HEADERS, LogEntry};
use sigida_formats::table::Table;
use sigida_formats::{FormatError, Location, Refusal};

use crate::dataset::{Dataset, RepeatRows, RowKey, main_keys};
use crate::export::{ColumnRole, SubmissionId, is_missing, map_columns};
use crate::form::{Form, QuestionKind};
use sigida_formats::parse_exported_number;

/// Why a log cannot be read or applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Format(#[from] FormatError),
}

fn header_index(table: &Table, names: &[&str]) -> Option<usize> {
    table.headers.iter().position(|h| {
        let h = crate::export::unmangle_header(h);
        names.iter().any(|n| h.eq_ignore_ascii_case(n))
    })
}

/// Reads a cleaning log in REACH's layout (CSV or a sheet of a workbook).
pub fn read_log(table: &Table) -> Result<Vec<LogEntry>, LogError> {
    let required = |names: &[&str], what: &str| {
        header_index(table, names).ok_or_else(|| {
            FormatError::new(
                table.location(),
                Refusal::new("cleaning.column")
                    .arg("column", what)
                    .arg("expected", names.join(", ")),
            )
        })
    };
    let uuid = required(&["uuid", "_uuid"], "uuid")?;
    let question = required(
        &["question", "questions", "question.name", "name"],
        "question",
    )?;
    let change = required(&["change_type", "decision", "type"], "change_type")?;
    let optional = |names: &[&str]| header_index(table, names);
    let old = optional(&["old_value", "old.value"]);
    let loop_index = optional(&["loop_index", "index"]);
    let new = optional(&["new_value", "new.value"]);
    let issue = optional(&["issue"]);
    let check = optional(&["check", "check_id", "check_binding"]);
    let author = optional(&["author", "enumerator_num", "changed_by"]);
    let date = optional(&["date", "reported_date"]);
    let reason = optional(&["reason", "comment", "comments"]);
    let cell = |cells: &[String], i: Option<usize>| {
        i.and_then(|i| cells.get(i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut entries = Vec::new();
    for (row, cells) in &table.rows {
        let code = cell(cells, Some(change));
        let decision = Decision::parse(&code).ok_or_else(|| {
            FormatError::new(
                Location {
                    row: Some(*row),
                    column: table.headers.get(change).cloned(),
                    ..table.location()
                },
                Refusal::new("cleaning.decision").arg("value", code.as_str()),
            )
        })?;
        entries.push(LogEntry {
            uuid: cell(cells, Some(uuid)),
            loop_index: cell(cells, loop_index),
            question: cell(cells, Some(question)),
            old_value: cell(cells, old),
            new_value: cell(cells, new),
            issue: cell(cells, issue),
            check: cell(cells, check),
            decision,
            author: cell(cells, author),
            date: cell(cells, date),
            reason: cell(cells, reason),
        });
    }
    Ok(entries)
}

/// What applying a log did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub changed: usize,
    pub blanked: usize,
    pub removed: usize,
    /// Split 0/1 columns set to follow a changed select_multiple answer.
    pub splits_followed: usize,
    /// Repeat rows left out: removed themselves, or with their submission or parent row.
    pub repeat_rows_removed: usize,
    /// Entries whose submission or column is not in the data: (uuid, question).
    pub unmatched: Vec<(String, String)>,
}

/// Clean data: `raw` with the decisions of `log` applied. Pending and no-action entries change
/// nothing; the last decision about a value wins. Applying the result's own log again changes
/// nothing (the operation is idempotent).
pub fn apply_log(form: &Form, raw: &Table, log: &[LogEntry]) -> (Table, Applied) {
    let mut applied = Applied::default();
    if SubmissionId::find(&raw.headers).is_none() {
        applied.unmatched = log
            .iter()
            .map(|e| (e.uuid.clone(), e.question.clone()))
            .collect();
        return (raw.clone(), applied);
    }
    let keys = main_keys(raw);
    let own: Vec<&LogEntry> = log
        .iter()
        .filter(|e| e.loop_index.trim().is_empty())
        .collect();
    let (rows, removed) = apply_rows(form, raw, None, &keys, &own, &mut applied);
    applied.removed = removed.len();
    (
        Table {
            rows: kept_rows(rows, &removed),
            ..raw.clone()
        },
        applied,
    )
}

fn kept_rows<T>(rows: Vec<T>, removed: &HashSet<usize>) -> Vec<T> {
    rows.into_iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, r)| r)
        .collect()
}

/// Clean data with its repeats: the log applied to the main table and to each repeat's rows
/// (an entry with a `loop_index` is about that repeat row). A submission removed takes its
/// repeat rows with it, and a repeat row removed takes the rows nested under it.
pub fn apply_log_dataset(form: &Form, raw: &Dataset, log: &[LogEntry]) -> (Dataset, Applied) {
    let (main, mut applied) = apply_log(form, &raw.main, log);
    let kept: HashSet<&str> = SubmissionId::find(&main.headers)
        .map(|id| main.rows.iter().filter_map(|(_, c)| id.of(c)).collect())
        .unwrap_or_default();
    // Repeat rows removed, as (submission, path): their descendants go too.
    let mut gone: HashSet<(String, String)> = HashSet::new();
    let mut repeats = Vec::new();
    for rows in &raw.repeats {
        let name = rows.name(form);
        let entries: Vec<&LogEntry> = log
            .iter()
            .filter(|e| e.repeat_name() == Some(name))
            .collect();
        let keys = rows.keys();
        let (cells, mut removed) = apply_rows(
            form,
            &rows.table,
            Some(rows.repeat),
            &keys,
            &entries,
            &mut applied,
        );
        for (i, link) in rows.links.iter().enumerate() {
            let Some(submission) = link.submission.as_deref() else {
                continue;
            };
            let under_removed = !kept.contains(submission)
                || link.key.match_indices('/').any(|(at, _)| {
                    gone.contains(&(submission.to_owned(), link.key[..at].to_owned()))
                });
            if under_removed {
                removed.insert(i);
            }
            if removed.contains(&i) {
                gone.insert((submission.to_owned(), link.key.clone()));
            }
        }
        applied.repeat_rows_removed += removed.len();
        repeats.push(RepeatRows {
            repeat: rows.repeat,
            table: Table {
                rows: kept_rows(cells, &removed),
                ..rows.table.clone()
            },
            links: kept_rows(rows.links.clone(), &removed),
        });
    }
    let known: HashSet<&str> = raw.repeats.iter().map(|r| r.name(form)).collect();
    for e in log {
        if !e.loop_index.trim().is_empty()
            && !e.repeat_name().is_some_and(|n| known.contains(n))
            && !matches!(e.decision, Decision::Pending | Decision::Keep)
        {
            applied.unmatched.push((e.uuid.clone(), e.question.clone()));
        }
    }
    (
        Dataset {
            main,
            repeats,
            ignored: raw.ignored.clone(),
        },
        applied,
    )
}

/// Applies entries to the rows of one table whose rows are known by `keys` (submission, path
/// below it; `None` for a row that belongs to none). Returns the rows, changed, and the
/// indexes of those an entry removes.
fn apply_rows(
    form: &Form,
    raw: &Table,
    repeat: Option<usize>,
    keys: &[RowKey<'_>],
    log: &[&LogEntry],
    applied: &mut Applied,
) -> (Vec<(usize, Vec<String>)>, HashSet<usize>) {
    let roles = map_columns(form, &raw.headers, repeat);
    let row_of: HashMap<(&str, &str), usize> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| Some((k.as_ref().copied()?, i)))
        .collect();
    // A question is named as the export names its column, or by the question's own name, or
    // as R mangled it (`q.option`).
    let column_of = |question: &str| -> Option<usize> {
        raw.headers
            .iter()
            .position(|h| h == question)
            .or_else(|| {
                raw.headers
                    .iter()
                    .position(|h| crate::export::unmangle_header(h) == question)
            })
            .or_else(|| {
                let wanted = map_columns(form, &[question.to_owned()], repeat).pop()?;
                (wanted != ColumnRole::Unknown)
                    .then(|| roles.iter().position(|r| *r == wanted))
                    .flatten()
            })
    };
    let mut rows: Vec<(usize, Vec<String>)> = raw.rows.clone();
    let mut removed: HashSet<usize> = HashSet::new();
    for entry in log {
        let Some(&row) = row_of.get(&(entry.uuid.trim(), entry.loop_index.trim())) else {
            if entry.decision != Decision::Pending && entry.decision != Decision::Keep {
                applied
                    .unmatched
                    .push((entry.uuid.clone(), entry.question.clone()));
            }
            continue;
        };
        match entry.decision {
            Decision::Pending | Decision::Keep => {}
            Decision::Remove => {
                removed.insert(row);
            }
            Decision::Change | Decision::Blank => {
                let Some(column) = column_of(entry.question.trim()) else {
                    applied
                        .unmatched
                        .push((entry.uuid.clone(), entry.question.clone()));
                    continue;
                };
                let value = if entry.decision == Decision::Blank {
                    String::new()
                } else {
                    entry.new_value.clone()
                };
                rows[row].1[column] = value.clone();
                if entry.decision == Decision::Blank {
                    applied.blanked += 1;
                } else {
                    applied.changed += 1;
                }
                // A select_multiple answer carries its split 0/1 columns with it.
                if let ColumnRole::Question { question } = roles[column]
                    && matches!(
                        form.questions[question].kind,
                        QuestionKind::SelectMultiple { .. }
                    )
                {
                    let chosen: HashSet<&str> = value.split_whitespace().collect();
                    for (split, role) in roles.iter().enumerate() {
                        if let ColumnRole::Option {
                            question: q,
                            option,
                        } = role
                            && *q == question
                        {
                            let cell = &mut rows[row].1[split];
                            let is_set = chosen.contains(option.as_str());
                            *cell = split_value(cell, is_set, value.is_empty());
                            applied.splits_followed += 1;
                        }
                    }
                }
            }
        }
    }
    (rows, removed)
}

/// A split column's value in the style the column already uses (`1`/`0` or `TRUE`/`FALSE`),
/// empty when the whole answer is.
fn split_value(current: &str, set: bool, answer_empty: bool) -> String {
    if answer_empty {
        return String::new();
    }
    let logical = matches!(
        current,
        "TRUE" | "FALSE" | "True" | "False" | "true" | "false"
    );
    match (logical, set) {
        (true, true) => "TRUE".into(),
        (true, false) => "FALSE".into(),
        (false, true) => "1".into(),
        (false, false) => "0".into(),
    }
}

/// Two cells hold the same value, numbers compared as numbers (`5e+05` = `500000`,
/// `FALSE` = `0`) and every missing marker alike.
pub fn same_value(a: &str, b: &str) -> bool {
    let number = |s: &str| match s.trim() {
        "TRUE" | "True" | "true" => Some(1.0),
        "FALSE" | "False" | "false" => Some(0.0),
        other => parse_exported_number(other),
    };
    a == b
        || (is_missing(a) && is_missing(b))
        || matches!((number(a), number(b)), (Some(x), Some(y)) if x == y)
}

/// Settings of the automatic checks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckSettings {
    /// Tukey's fences: below Q1 − k·IQR or above Q3 + k·IQR.
    pub iqr_factor: f64,
    /// Also check the logarithm of positive values (skewed amounts).
    pub log_iqr: bool,
    /// A question with the stratum's column name checks outliers within each stratum.
    pub stratum: Option<String>,
    pub min_duration_minutes: f64,
    pub max_duration_minutes: f64,
    /// Share of identical answers above which two submissions are "soft" duplicates.
    pub soft_duplicate_share: f64,
    /// Fewer answered questions than this, the soft-duplicate comparison is not made.
    pub soft_duplicate_min_answers: usize,
}

impl Default for CheckSettings {
    fn default() -> Self {
        Self {
            iqr_factor: 3.0,
            log_iqr: true,
            stratum: None,
            min_duration_minutes: 15.0,
            max_duration_minutes: 240.0,
            soft_duplicate_share: 0.95,
            soft_duplicate_min_answers: 10,
        }
    }
}

fn entry(uuid: &str, question: &str, value: &str, issue: String, check: &str) -> LogEntry {
    LogEntry {
        uuid: uuid.to_owned(),
        loop_index: String::new(),
        question: question.to_owned(),
        old_value: value.to_owned(),
        new_value: String::new(),
        issue,
        check: check.to_owned(),
        decision: Decision::Pending,
        author: "sigida".to_owned(),
        date: String::new(),
        reason: String::new(),
    }
}

/// Quartiles by linear interpolation (R's type 7, the default of `quantile()`).
fn quartiles(sorted: &[f64]) -> (f64, f64) {
    let at = |p: f64| {
        let h = (sorted.len() - 1) as f64 * p;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
    };
    (at(0.25), at(0.75))
}

/// Runs every automatic check on a data table and returns pending log entries.
pub fn run_checks(form: &Form, data: &Table, settings: &CheckSettings) -> Vec<LogEntry> {
    let roles = map_columns(form, &data.headers, None);
    let Some(id) = SubmissionId::find(&data.headers) else {
        return Vec::new();
    };
    let uuid = |cells: &[String]| id.of(cells).unwrap_or_default().to_owned();
    let mut entries = Vec::new();
    let question_columns: Vec<(usize, usize)> = roles
        .iter()
        .enumerate()
        .filter_map(|(c, r)| match r {
            ColumnRole::Question { question } => Some((c, *question)),
            _ => None,
        })
        .collect();

    // Outliers, per numeric question (and per stratum when one is named).
    let stratum_column = settings
        .stratum
        .as_ref()
        .and_then(|s| data.headers.iter().position(|h| h == s));
    for &(c, q) in &question_columns {
        let question = &form.questions[q];
        if !matches!(question.kind, QuestionKind::Integer | QuestionKind::Decimal) {
            continue;
        }
        let mut groups: BTreeMap<String, Vec<(usize, f64)>> = BTreeMap::new();
        for (i, (_, cells)) in data.rows.iter().enumerate() {
            if let Some(v) = cells.get(c).and_then(|v| parse_exported_number(v)) {
                let key = stratum_column
                    .and_then(|s| cells.get(s))
                    .cloned()
                    .unwrap_or_default();
                groups.entry(key).or_default().push((i, v));
            }
        }
        for values in groups.values() {
            if values.len() < 10 {
                continue;
            }
            let mut fenced = |transform: &dyn Fn(f64) -> Option<f64>, check: &str, what: &str| {
                let mut sorted: Vec<f64> =
                    values.iter().filter_map(|(_, v)| transform(*v)).collect();
                if sorted.len() < 10 {
                    return;
                }
                sorted.sort_by(f64::total_cmp);
                let (q1, q3) = quartiles(&sorted);
                let iqr = q3 - q1;
                if iqr <= 0.0 {
                    return;
                }
                let (low, high) = (
                    q1 - settings.iqr_factor * iqr,
                    q3 + settings.iqr_factor * iqr,
                );
                for &(i, v) in values {
                    if let Some(t) = transform(v)
                        && (t < low || t > high)
                    {
                        let cells = &data.rows[i].1;
                        entries.push(entry(
                            &uuid(cells),
                            &data.headers[c],
                            &cells[c],
                            format!(
                                "valeur aberrante ({what}) : hors de [{}, {}]",
                                readable(inverse(check, low)),
                                readable(inverse(check, high))
                            ),
                            check,
                        ));
                    }
                }
            };
            fenced(&|v| Some(v), "outlier_iqr", "écart interquartile");
            if settings.log_iqr {
                fenced(
                    &|v| (v > 0.0).then(|| v.ln()),
                    "outlier_log_iqr",
                    "écart interquartile du logarithme",
                );
            }
        }
    }
    // One value flagged by both fences is one entry.
    let mut seen = HashSet::new();
    entries.retain(|e| seen.insert((e.uuid.clone(), e.question.clone(), e.old_value.clone())));

    // Interview duration from start and end.
    let start = question_columns.iter().find(|(_, q)| matches!(&form.questions[*q].kind, QuestionKind::Metadata { name } if name == "start"));
    let end = question_columns.iter().find(|(_, q)| matches!(&form.questions[*q].kind, QuestionKind::Metadata { name } if name == "end"));
    if let (Some(&(s, _)), Some(&(e, _))) = (start, end) {
        for (_, cells) in &data.rows {
            let (Some(a), Some(b)) = (
                cells
                    .get(s)
                    .and_then(|v| crate::xpath::iso_to_days(v.trim())),
                cells
                    .get(e)
                    .and_then(|v| crate::xpath::iso_to_days(v.trim())),
            ) else {
                continue;
            };
            let minutes = (b - a) * 1440.0;
            let issue = if minutes < settings.min_duration_minutes {
                format!(
                    "entretien trop court : {minutes:.1} min (moins de {} min)",
                    settings.min_duration_minutes
                )
            } else if minutes > settings.max_duration_minutes {
                format!(
                    "entretien trop long : {minutes:.0} min (plus de {} min)",
                    settings.max_duration_minutes
                )
            } else {
                continue;
            };
            entries.push(entry(&uuid(cells), "", "", issue, "duration"));
        }
    }

    // "Other" answers waiting to be recoded, and personal data written in free text.
    for &(c, q) in &question_columns {
        let question = &form.questions[q];
        let is_other = question.generated && question.name.ends_with("_other")
            || question
                .relevant
                .as_deref()
                .is_some_and(|r| r.contains("'other'"))
                && question.kind == QuestionKind::Text;
        if question.kind != QuestionKind::Text {
            continue;
        }
        for (_, cells) in &data.rows {
            let Some(value) = cells.get(c).filter(|v| !is_missing(v)) else {
                continue;
            };
            if is_other {
                entries.push(entry(
                    &uuid(cells),
                    &data.headers[c],
                    value,
                    "réponse « autre » à recoder".into(),
                    "other_response",
                ));
            }
            if let Some(kind) = personal_data_in(value) {
                entries.push(entry(
                    &uuid(cells),
                    &data.headers[c],
                    value,
                    format!("donnée personnelle dans un texte libre ({kind})"),
                    "personal_in_text",
                ));
            }
        }
    }

    // Exact and soft duplicates (same answers in most questions).
    let answer_columns: Vec<usize> = question_columns
        .iter()
        .filter(|(_, q)| {
            !matches!(
                &form.questions[*q].kind,
                QuestionKind::Metadata { .. } | QuestionKind::Calculate | QuestionKind::Note
            )
        })
        .map(|(c, _)| *c)
        .collect();
    let mut exact: HashMap<Vec<&str>, usize> = HashMap::new();
    for (i, (_, cells)) in data.rows.iter().enumerate() {
        let key: Vec<&str> = answer_columns
            .iter()
            .map(|&c| cells.get(c).map(|s| s.trim()).unwrap_or(""))
            .collect();
        if key.iter().all(|v| v.is_empty()) {
            continue;
        }
        if let Some(&first) = exact.get(&key) {
            let other = uuid(&data.rows[first].1);
            entries.push(entry(
                &uuid(cells),
                "",
                "",
                format!("doublon exact de la soumission {other}"),
                "duplicate",
            ));
        } else {
            exact.insert(key, i);
        }
    }
    for (i, j) in soft_duplicate_candidates(&data.rows, &answer_columns, settings) {
        let (a, b) = (&data.rows[i].1, &data.rows[j].1);
        if let Some((same, answered)) = soft_duplicate(a, b, &answer_columns, settings) {
            entries.push(entry(
                &uuid(b),
                "",
                "",
                format!(
                    "quasi-doublon de {} : {same} réponses identiques sur {answered}",
                    uuid(a)
                ),
                "soft_duplicate",
            ));
        }
    }
    entries
}

/// Whether two rows are soft duplicates: (identical answers, answers) when they are.
fn soft_duplicate(
    a: &[String],
    b: &[String],
    columns: &[usize],
    settings: &CheckSettings,
) -> Option<(usize, usize)> {
    let (mut answered, mut same) = (0usize, 0usize);
    for &c in columns {
        let (x, y) = (
            a.get(c).map(|s| s.trim()).unwrap_or(""),
            b.get(c).map(|s| s.trim()).unwrap_or(""),
        );
        if x.is_empty() && y.is_empty() {
            continue;
        }
        answered += 1;
        same += usize::from(x == y);
    }
    (answered >= settings.soft_duplicate_min_answers
        && same < answered
        && same as f64 / answered as f64 >= settings.soft_duplicate_share)
        .then_some((same, answered))
}

/// The pairs of rows (i < j, in order) that may be soft duplicates, without comparing every
/// pair. Two rows that agree on a share `s` of their `A` answers differ in at most
/// `d = ⌊(1 − s)·C⌋` of the `C` answer columns; split the columns into `d + 1` bands
/// (interleaved, so each band mixes the form's sections) and, by the pigeonhole principle,
/// such rows hold one band identical. Rows are bucketed by each band's values and only rows
/// sharing a bucket are compared. Two kinds of bucket say nothing about a pair and are left
/// out, so a pair whose only identical bands are of these kinds is not found: a band left
/// entirely blank, and a bucket of more than `BUCKET_LIMIT` rows (a stretch of questions nearly
/// everyone answers alike), which would bring back the quadratic comparison.
const BUCKET_LIMIT: usize = 2_000;

fn soft_duplicate_candidates(
    rows: &[(usize, Vec<String>)],
    columns: &[usize],
    settings: &CheckSettings,
) -> Vec<(usize, usize)> {
    use std::hash::{BuildHasher, Hasher};
    if columns.len() < settings.soft_duplicate_min_answers || rows.len() < 2 {
        return Vec::new();
    }
    let share = settings.soft_duplicate_share.clamp(0.5, 1.0);
    let differences = ((1.0 - share) * columns.len() as f64).floor() as usize;
    let bands = (differences + 1).min(columns.len());
    let hasher = std::collections::hash_map::RandomState::new();
    let mut pairs: HashSet<(u32, u32)> = HashSet::new();
    for band in 0..bands {
        let mut buckets: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, (_, cells)) in rows.iter().enumerate() {
            let mut h = hasher.build_hasher();
            let mut blank = true;
            for &c in columns.iter().skip(band).step_by(bands) {
                let v = cells.get(c).map(|s| s.trim()).unwrap_or("");
                blank &= v.is_empty();
                h.write(v.as_bytes());
                h.write_u8(0xff);
            }
            if !blank {
                buckets.entry(h.finish()).or_default().push(i as u32);
            }
        }
        for members in buckets.values().filter(|m| m.len() <= BUCKET_LIMIT) {
            for (k, &a) in members.iter().enumerate() {
                for &b in &members[k + 1..] {
                    pairs.insert((a, b));
                }
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = pairs
        .into_iter()
        .map(|(a, b)| (a as usize, b as usize))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// The form logic checked on (clean) data, submissions and repeat rows alike: answers to
/// questions that were not asked (`relevant`), required answers missing. Checked again at
/// every `clean check`, since a decision can change what was relevant. `now_days` is the
/// moment of the check (days since 1970-01-01) for `today()`.
pub fn logic_checks(form: &Form, data: &Dataset, now_days: f64) -> Vec<LogEntry> {
    let mut entries = Vec::new();
    let mut check = |table: &Table, repeat: Option<usize>, keys: &[RowKey<'_>]| {
        let roles = map_columns(form, &table.headers, repeat);
        let checker = crate::export::Checker::new(form, &table.headers, roles, now_days);
        let mut problems = Vec::new();
        for ((row, cells), key) in table.rows.iter().zip(keys) {
            let Some((uuid, loop_index)) = key else {
                continue;
            };
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            checker.check_logic(*row, &cells, &mut problems);
            for p in problems.drain(..) {
                let check = if p.message.starts_with(crate::export::NOT_RELEVANT) {
                    "relevant"
                } else {
                    "required"
                };
                let mut e = entry(uuid, &p.column, &p.value, p.message, check);
                e.loop_index = (*loop_index).to_owned();
                entries.push(e);
            }
        }
    };
    for (table, repeat, keys) in data.tables() {
        check(table, repeat, &keys);
    }
    entries
}

/// A fence as people read it: at most two decimals, none when whole.
fn readable(value: f64) -> String {
    crate::xpath::number_to_text((value * 100.0).round() / 100.0)
}

fn inverse(check: &str, value: f64) -> f64 {
    if check == "outlier_log_iqr" {
        value.exp()
    } else {
        value
    }
}

/// A phone number (8 digits or more, spaces allowed) or an e-mail address in free text.
pub fn personal_data_in(text: &str) -> Option<&'static str> {
    let mut digits = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            if digits >= 8 {
                return Some("numéro de téléphone");
            }
        } else if !matches!(c, ' ' | '-' | '.' | '+' | '(' | ')') {
            digits = 0;
        }
    }
    let email = text.split_whitespace().any(|w| {
        w.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !domain.ends_with('.')
        })
    });
    email.then_some("adresse électronique")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_sheets;

    fn table(sheet: &str, rows: &[&[&str]]) -> Table {
        Table::sheet("t.csv", sheet, rows)
    }

    fn form() -> Form {
        read_sheets(
            "f.xlsx",
            &[
                table(
                    "survey",
                    &[
                        &["type", "name", "label"],
                        &["start", "start", ""],
                        &["end", "end", ""],
                        &["integer", "depense", "Dépense"],
                        &["select_multiple eau", "eau", "Eau"],
                        &["text", "note_libre", "Note"],
                    ],
                ),
                table(
                    "choices",
                    &[
                        &["list_name", "name", "label"],
                        &["eau", "puits", "Puits"],
                        &["eau", "forage", "Forage"],
                    ],
                ),
            ],
        )
        .unwrap()
    }

    fn change(uuid: &str, question: &str, new: &str, decision: Decision) -> LogEntry {
        LogEntry {
            uuid: uuid.into(),
            loop_index: String::new(),
            question: question.into(),
            old_value: String::new(),
            new_value: new.into(),
            issue: "test".into(),
            check: "manual".into(),
            decision,
            author: "analyste".into(),
            date: "2026-03-01".into(),
            reason: String::new(),
        }
    }

    #[test]
    fn a_changed_select_multiple_carries_its_split_columns() {
        let form = form();
        let raw = table(
            "data",
            &[
                &["_uuid", "depense", "eau", "eau/puits", "eau/forage"],
                &["a", "10", "puits", "1", "0"],
                &["b", "20", "forage", "FALSE", "TRUE"],
                &["c", "30", "", "", ""],
            ],
        );
        let log = [
            change("a", "eau", "puits forage", Decision::Change),
            change("b", "eau", "puits", Decision::Change),
            change("c", "depense", "", Decision::Blank),
            change("zz", "depense", "1", Decision::Change),
        ];
        let (clean, applied) = apply_log(&form, &raw, &log);
        assert_eq!(clean.rows[0].1, ["a", "10", "puits forage", "1", "1"]);
        assert_eq!(
            clean.rows[1].1,
            ["b", "20", "puits", "TRUE", "FALSE"],
            "the column keeps its TRUE/FALSE style"
        );
        assert_eq!(clean.rows[2].1[1], "");
        assert_eq!(
            (applied.changed, applied.blanked, applied.splits_followed),
            (2, 1, 4)
        );
        assert_eq!(
            applied.unmatched,
            vec![("zz".to_owned(), "depense".to_owned())]
        );
        // Applying the same log to the clean data changes nothing.
        let (again, _) = apply_log(&form, &clean, &log);
        assert_eq!(again.rows, clean.rows);
    }

    #[test]
    fn repeat_rows_are_addressed_by_loop_index_and_leave_with_their_parent() {
        let form = read_sheets(
            "f.xlsx",
            &[Table::sheet(
                "f.xlsx",
                "survey",
                &[
                    &["type", "name", "label"][..],
                    &["begin_repeat", "membres", "Membres"],
                    &["integer", "age", "Âge"],
                    &["begin_repeat", "vaccins", "Vaccins"],
                    &["text", "vaccin", "Vaccin"],
                    &["end_repeat", "", ""],
                    &["end_repeat", "", ""],
                ],
            )],
        )
        .unwrap();
        let raw = crate::dataset::assemble(
            &form,
            vec![
                Table::sheet(
                    "x.xlsx",
                    "main",
                    &[&["_uuid", "_index"][..], &["a", "1"], &["b", "2"]],
                ),
                Table::sheet(
                    "x.xlsx",
                    "membres",
                    &[
                        &["age", "_index", "_parent_index"][..],
                        &["30", "1", "1"],
                        &["4", "2", "1"],
                        &["50", "3", "2"],
                    ],
                ),
                Table::sheet(
                    "x.xlsx",
                    "vaccins",
                    &[
                        &["vaccin", "_index", "_parent_index"][..],
                        &["polio", "1", "2"],
                        &["rougeole", "2", "1"],
                        &["fièvre jaune", "3", "3"],
                    ],
                ),
            ],
        )
        .unwrap();
        let mut age = change("a", "age", "31", Decision::Change);
        age.loop_index = "membres[1]".into();
        let mut child = change("a", "", "", Decision::Remove);
        child.loop_index = "membres[2]".into();
        let log = [age, child, change("b", "", "", Decision::Remove)];
        let (clean, applied) = apply_log_dataset(&form, &raw, &log);
        assert_eq!(clean.main.rows.len(), 1);
        assert_eq!(
            clean.repeats[0].table.rows.len(),
            1,
            "b's member and a's second left"
        );
        assert_eq!(clean.repeats[0].table.rows[0].1[0], "31");
        assert_eq!(
            clean.repeats[1]
                .table
                .rows
                .iter()
                .map(|(_, c)| c[0].as_str())
                .collect::<Vec<_>>(),
            ["rougeole"],
            "the polio vaccination of the removed member went with her"
        );
        assert_eq!(
            (
                applied.changed,
                applied.removed,
                applied.repeat_rows_removed
            ),
            (1, 1, 4)
        );
        assert!(applied.unmatched.is_empty(), "{:?}", applied.unmatched);
    }

    #[test]
    fn removals_pending_and_kept_entries() {
        let form = form();
        let raw = table("data", &[&["_uuid", "depense"], &["a", "1"], &["b", "2"]]);
        let log = [
            change("a", "", "", Decision::Remove),
            change("a", "", "", Decision::Remove),
            change("b", "depense", "99", Decision::Pending),
            change("b", "depense", "98", Decision::Keep),
        ];
        let (clean, applied) = apply_log(&form, &raw, &log);
        assert_eq!(clean.rows, vec![(3, vec!["b".to_owned(), "2".to_owned()])]);
        assert_eq!(applied.removed, 1);
    }

    #[test]
    fn checks_find_outliers_short_interviews_duplicates_and_personal_data() {
        let form = form();
        let mut rows: Vec<Vec<String>> = Vec::new();
        for i in 0..30 {
            rows.push(vec![
                format!("u{i}"),
                "2026-02-01T08:00:00Z".into(),
                format!("2026-02-01T08:{:02}:00Z", 20 + i % 30),
                format!("{}", 1000 + i * 10),
                if i % 2 == 0 {
                    "puits".into()
                } else {
                    "forage".into()
                },
                String::new(),
            ]);
        }
        rows[5][3] = "999999".into();
        rows[6][2] = "2026-02-01T08:04:00Z".into();
        rows[7][5] = "appelez le 76 12 34 56".into();
        rows.push(rows[8].clone());
        rows.last_mut().unwrap()[0] = "copie".into();
        let data = Table {
            file: "d.csv".into(),
            sheet: None,
            headers: ["_uuid", "start", "end", "depense", "eau", "note_libre"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r))
                .collect(),
        };
        let entries = run_checks(&form, &data, &CheckSettings::default());
        let find = |check: &str| {
            entries
                .iter()
                .filter(|e| e.check == check)
                .map(|e| e.uuid.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(find("outlier_iqr"), ["u5"]);
        assert!(
            find("outlier_log_iqr").is_empty(),
            "the same value flagged twice is one entry"
        );
        assert_eq!(find("duration"), ["u6"]);
        assert_eq!(find("personal_in_text"), ["u7"]);
        assert_eq!(find("duplicate"), ["copie"]);
        assert!(entries.iter().all(|e| e.decision == Decision::Pending));
    }

    #[test]
    fn soft_duplicates_found_by_bands_are_those_of_every_pair() {
        use rand::{Rng, SeedableRng};
        let settings = CheckSettings::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let columns: Vec<usize> = (0..40).collect();
        let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
        for i in 0..600 {
            let cells: Vec<String> = if i > 0 && rng.gen_bool(0.2) {
                // A near copy of an earlier row: one or two answers changed, some blanked.
                let mut copy = rows[rng.gen_range(0..rows.len())].1.clone();
                for _ in 0..rng.gen_range(1..3) {
                    copy[rng.gen_range(0..40)] = format!("{}", rng.gen_range(0..3));
                }
                copy
            } else {
                (0..40)
                    .map(|_| match rng.gen_range(0..10) {
                        0..=2 => String::new(),
                        v => format!("{}", v % 3),
                    })
                    .collect()
            };
            rows.push((i + 2, cells));
        }
        let every_pair: Vec<(usize, usize)> = (0..rows.len())
            .flat_map(|i| (i + 1..rows.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| soft_duplicate(&rows[i].1, &rows[j].1, &columns, &settings).is_some())
            .collect();
        let by_bands: Vec<(usize, usize)> = soft_duplicate_candidates(&rows, &columns, &settings)
            .into_iter()
            .filter(|&(i, j)| soft_duplicate(&rows[i].1, &rows[j].1, &columns, &settings).is_some())
            .collect();
        assert!(every_pair.len() > 50, "{}", every_pair.len());
        assert_eq!(by_bands, every_pair);
    }

    #[test]
    fn values_compare_as_numbers() {
        assert!(same_value("5e+05", "500000"));
        assert!(same_value("FALSE", "0"));
        assert!(same_value("", "NA"));
        assert!(!same_value("1", "2"));
        assert!(!same_value("a", "b"));
    }

    #[test]
    fn personal_data_patterns() {
        assert_eq!(
            personal_data_in("tel +223 76 12 34 56"),
            Some("numéro de téléphone")
        );
        assert_eq!(
            personal_data_in("écrire à awa@example.org"),
            Some("adresse électronique")
        );
        assert_eq!(personal_data_in("12 chèvres, 3 vaches"), None);
    }
}
