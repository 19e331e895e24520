//! The cleaning log of an instrument: the checks that fill it (outliers, form logic, what the
//! imports found against the form), merged into the log without losing a decision taken.

use std::collections::{BTreeMap, HashMap, HashSet};

use sigida_core::cleaning::{Decision, LogEntry};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::Instrument;
use sigida_store::Store;
use sigida_xlsform::cleaning::{CheckSettings, apply_log_dataset, logic_checks, run_checks};
use sigida_xlsform::export::is_logic_problem;

use crate::common::clean_data::{Imported, imported_datasets, latest_form, unite};
use crate::{AppError, Refusal};

/// What the checks of an instrument found.
pub struct Checked {
    pub rows: usize,
    pub by_check: BTreeMap<String, usize>,
    pub merge: sigida_store::LogMerge,
}

/// Runs every check on an instrument's raw data, with the values its imports found against
/// the form, and merges what they find into its cleaning log.
pub async fn check_instrument(
    store: &Store,
    diagnostic: &Diagnostic,
    instrument: &Instrument,
    stratum: Option<String>,
) -> Result<Checked, AppError> {
    let form = latest_form(store, diagnostic, instrument).await?;
    let imported = imported_datasets(store, instrument, &form).await?;
    if imported.is_empty() {
        return Err(no_data(instrument));
    }
    let raw = unite(&instrument.name, &form, &imported);
    let settings = CheckSettings {
        stratum,
        ..CheckSettings::default()
    };
    let now = time::OffsetDateTime::now_utc();
    let today = now.date().to_string();
    let mut entries: Vec<LogEntry> = run_checks(&form, &raw.main, &settings);
    // Form logic, on the data as the decisions already taken make it.
    let log = store.cleaning_log(instrument.id).await?;
    let (clean, _) = apply_log_dataset(&form, &raw, &log);
    entries.extend(logic_checks(
        &form,
        &clean,
        now.unix_timestamp() as f64 / 86_400.0,
    ));
    // What the import's check found against the form joins the log too, each problem at its
    // submission, or at its repeat row.
    for Imported {
        import,
        brought,
        dataset,
    } in &imported
    {
        let brought: HashSet<&str> = brought.iter().map(String::as_str).collect();
        // Where each of the file's rows belongs, by sheet and row number.
        let mut rows: HashMap<(Option<&str>, i64), (&str, &str)> = HashMap::new();
        for (table, _, keys) in dataset.tables() {
            for ((row, _), key) in table.rows.iter().zip(keys) {
                if let Some((uuid, loop_index)) = key.filter(|(u, _)| brought.contains(u)) {
                    rows.insert((table.sheet.as_deref(), *row as i64), (uuid, loop_index));
                }
            }
        }
        for p in store.import_problems(import.id, i64::MAX).await? {
            if is_logic_problem(&p.message) {
                // Relevance and required answers are checked again below, on the clean data.
                continue;
            }
            let Some(&(uuid, loop_index)) = rows.get(&(p.sheet.as_deref(), p.row)) else {
                continue;
            };
            entries.push(LogEntry {
                uuid: uuid.to_owned(),
                loop_index: loop_index.to_owned(),
                question: p.column,
                old_value: p.value,
                new_value: String::new(),
                issue: p.message,
                check: "form".into(),
                decision: Decision::Pending,
                author: "sigida".into(),
                date: String::new(),
                reason: String::new(),
            });
        }
    }
    for e in &mut entries {
        e.date = today.clone();
    }
    let mut tx = store.begin().await?;
    let merge = tx.merge_log(instrument.id, &entries).await?;
    tx.commit().await?;
    let mut by_check: BTreeMap<String, usize> = BTreeMap::new();
    for e in &entries {
        *by_check.entry(e.check.clone()).or_default() += 1;
    }
    Ok(Checked {
        rows: raw.main.rows.len(),
        by_check,
        merge,
    })
}

/// An instrument without data: nothing to check, nor to clean.
pub fn no_data(instrument: &Instrument) -> AppError {
    Refusal::new("cleaning.no_data")
        .arg("instrument", instrument.name.as_str())
        .into()
}
