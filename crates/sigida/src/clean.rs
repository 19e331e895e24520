//! `sigida clean check` and `sigida clean apply`: the cleaning log of an instrument, and clean
//! data made from raw data and the log.

use std::collections::BTreeMap;
use std::path::Path;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::cleaning::{Decision, LOG_HEADERS, LogEntry};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::Instrument;
use sigida_core::{Id, Timestamp};
use sigida_formats::table::{Table, read_tables};
use sigida_formats::write::write_table;
use sigida_store::Store;
use sigida_web::datasets::{
    DatasetError, clean_dataset, latest_form, log_version, personal_columns, raw_dataset,
};
use sigida_xlsform::cleaning::{CheckSettings, read_log, run_checks};
use sigida_xlsform::export::hxl_tags;

use crate::{Failure, Place};

impl From<DatasetError> for Failure {
    fn from(e: DatasetError) -> Self {
        match e {
            DatasetError::Store(e) => Failure::from(e),
            other => Failure::Input(other.to_string()),
        }
    }
}

async fn instrument(store: &Store, name: &str) -> Result<(Diagnostic, Instrument), Failure> {
    let diagnostic = store.main_diagnostic().await?;
    let instrument = store
        .instrument_by_name(diagnostic.id, name)
        .await?
        .ok_or_else(|| {
            Failure::Input(format!(
                "instrument inconnu « {name} » (sigida import form FICHIER --instrument {name})"
            ))
        })?;
    Ok((diagnostic, instrument))
}

fn log_table(log: &[LogEntry]) -> Table {
    Table {
        file: "journal".into(),
        sheet: Some("journal_nettoyage".into()),
        headers: LOG_HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: log
            .iter()
            .enumerate()
            .map(|(i, e)| (i + 2, e.cells().iter().map(|c| c.to_string()).collect()))
            .collect(),
    }
}

pub async fn check(
    place: &Place,
    name: &str,
    stratum: Option<String>,
    log_out: Option<&Path>,
) -> Result<(), Failure> {
    let store = place.open().await?;
    let (diagnostic, instrument) = instrument(&store, name).await?;
    let found = check_instrument(&store, &diagnostic, &instrument, stratum).await?;
    println!("« {name} » : {} soumissions vérifiées.", found.rows);
    for (check, count) in &found.by_check {
        println!("  {check:<18} {count}");
    }
    println!(
        "Journal de nettoyage : {} nouvelles entrées, {} déjà présentes.",
        found.merge.added,
        found.merge.unchanged + found.merge.updated
    );
    if let Some(path) = log_out {
        let log = store.cleaning_log(instrument.id).await?;
        write_table(path, &log_table(&log), None)?;
        println!(
            "Journal écrit dans {} ({} entrées) : remplissez change_type et new_value, puis « sigida clean apply --log ».",
            path.display(),
            log.len()
        );
    }
    Ok(())
}

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
) -> Result<Checked, Failure> {
    let form = latest_form(store, diagnostic, instrument).await?;
    let raw = raw_dataset(store, instrument.id, &instrument.name).await?;
    let settings = CheckSettings {
        stratum,
        ..CheckSettings::default()
    };
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let mut entries: Vec<LogEntry> = run_checks(&form, &raw, &settings);
    // What the import's check found against the form joins the log too.
    for (import, _) in store.imports_with_submissions(instrument.id).await? {
        let uuids: BTreeMap<i64, String> = store
            .submissions_of_import(import.id)
            .await?
            .into_iter()
            .map(|(uuid, row)| (row, uuid))
            .collect();
        for p in store.import_problems(import.id, i64::MAX).await? {
            if p.sheet.is_some() && p.sheet.as_deref() != raw.sheet.as_deref() {
                // Repeat sheets are checked at import; their rows have no submission of their own.
                continue;
            }
            let Some(uuid) = uuids.get(&p.row) else {
                continue;
            };
            entries.push(LogEntry {
                uuid: uuid.clone(),
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
        rows: raw.rows.len(),
        by_check,
        merge,
    })
}

pub struct ApplyOptions<'a> {
    pub log: Option<&'a Path>,
    pub out: Option<&'a Path>,
    pub hxl: bool,
    pub with_personal: bool,
}

pub async fn apply(place: &Place, name: &str, options: ApplyOptions<'_>) -> Result<(), Failure> {
    let store = place.open().await?;
    let (diagnostic, instrument) = instrument(&store, name).await?;
    if let Some(path) = options.log {
        let table = read_tables(path)?
            .into_iter()
            .next()
            .ok_or_else(|| Failure::Input(format!("{} : fichier vide", path.display())))?;
        let entries = read_log(&table).map_err(|e| Failure::Input(e.to_string()))?;
        let mut tx = store.begin().await?;
        let merge = tx.merge_log(instrument.id, &entries).await?;
        tx.commit().await?;
        println!(
            "{} : {} entrées lues — {} ajoutées, {} décisions mises à jour, {} inchangées.",
            path.display(),
            entries.len(),
            merge.added,
            merge.updated,
            merge.unchanged
        );
    }
    let (form, mut clean, applied) = clean_dataset(&store, &diagnostic, &instrument).await?;
    let log = store.cleaning_log(instrument.id).await?;
    println!(
        "Données propres de « {name} » (journal {}) : {} soumissions ; {} supprimées, {} valeurs changées, {} vidées, {} colonnes d'options suivies.",
        log_version(&log),
        clean.rows.len(),
        applied.removed,
        applied.changed,
        applied.blanked,
        applied.splits_followed
    );
    if !applied.unmatched.is_empty() {
        println!(
            "  {} entrées ne trouvent pas leur soumission ou leur colonne, par ex. {:?}",
            applied.unmatched.len(),
            &applied.unmatched[..applied.unmatched.len().min(3)]
        );
    }
    let Some(out) = options.out else {
        return Ok(());
    };
    let personal = personal_columns(&form, &clean.headers);
    if options.with_personal {
        store
            .audit(&AuditEvent {
                id: Id::new(),
                at: Timestamp::from_datetime(time::OffsetDateTime::now_utc()),
                actor: None,
                action: AuditAction::ExportPersonalData,
                subject: format!("instrument:{}", instrument.id),
                detail: format!(
                    "{} colonnes personnelles exportées dans {}",
                    personal.len(),
                    out.display()
                ),
            })
            .await?;
    } else if !personal.is_empty() {
        let left_out: Vec<String> = personal.iter().map(|&c| clean.headers[c].clone()).collect();
        let keep: Vec<usize> = (0..clean.headers.len())
            .filter(|c| !personal.contains(c))
            .collect();
        clean.headers = keep.iter().map(|&c| clean.headers[c].clone()).collect();
        for (_, cells) in &mut clean.rows {
            *cells = keep.iter().map(|&c| cells[c].clone()).collect();
        }
        println!(
            "  Colonnes de données personnelles laissées de côté ({}) : {}",
            left_out.len(),
            left_out.join(", ")
        );
    }
    let tags = options.hxl.then(|| hxl_tags(&form, &clean.headers));
    clean.sheet = Some("donnees_propres".into());
    write_table(out, &clean, tags.as_deref())?;
    println!("Écrit : {}", out.display());
    Ok(())
}
