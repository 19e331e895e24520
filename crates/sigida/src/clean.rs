//! `sigida clean check` and `sigida clean apply`: the cleaning log of an instrument, and clean
//! data made from raw data and the log.

use std::path::Path;

use sigida_app::common::clean_data::{clean_export, log_version, publishable_tables};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::cleaning::{LOG_HEADERS, LogEntry};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::Instrument;
use sigida_core::{Id, Timestamp};
use sigida_formats::table::{Table, read_tables};
use sigida_formats::write::{Cells, write_data_sheets, write_table};
use sigida_store::Store;
use sigida_xlsform::cleaning::read_log;
use sigida_xlsform::export::hxl_tags;

use crate::{Failure, Place};

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
    let found =
        sigida_app::cleaning::check_instrument(&store, &diagnostic, &instrument, stratum).await?;
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
        write_table(path, &log_table(&log), None, Cells::FormulaSafe)?;
        println!(
            "Journal écrit dans {} ({} entrées) : remplissez change_type et new_value, puis « sigida clean apply --log ».",
            path.display(),
            log.len()
        );
    }
    Ok(())
}

pub struct ApplyOptions<'a> {
    pub log: Option<&'a Path>,
    pub out: Option<&'a Path>,
    pub hxl: bool,
    pub with_personal: bool,
    pub cells: Cells,
}

pub async fn apply(place: &Place, name: &str, options: ApplyOptions<'_>) -> Result<(), Failure> {
    let store = place.open().await?;
    let (diagnostic, instrument) = instrument(&store, name).await?;
    if let Some(path) = options.log {
        let table = read_tables(path)?
            .into_iter()
            .next()
            .ok_or_else(|| Failure::Input(format!("{} : fichier vide", path.display())))?;
        let entries =
            read_log(&table).map_err(|sigida_xlsform::cleaning::LogError::Format(e)| e)?;
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
    if store.submission_count(instrument.id).await? == 0 {
        return Err(sigida_app::cleaning::no_data(&instrument).into());
    }
    let (form, clean, applied) = clean_export(&store, &diagnostic, &instrument).await?;
    let log = store.cleaning_log(instrument.id).await?;
    println!(
        "Données propres de « {name} » (journal {}) : {} soumissions ; {} supprimées, {} valeurs changées, {} vidées, {} colonnes d'options suivies.",
        log_version(&log),
        clean.main.rows.len(),
        applied.removed,
        applied.changed,
        applied.blanked,
        applied.splits_followed
    );
    for rows in &clean.repeats {
        println!(
            "  Répétition « {} » : {} lignes{}",
            rows.name(&form),
            rows.table.rows.len(),
            if rows.orphans() > 0 {
                format!(" (dont {} sans parent)", rows.orphans())
            } else {
                String::new()
            }
        );
    }
    if applied.repeat_rows_removed > 0 {
        println!(
            "  {} lignes de répétitions laissées de côté avec leur soumission ou leur parent, ou supprimées.",
            applied.repeat_rows_removed
        );
    }
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
    let (tables, left_out, personal_total) =
        publishable_tables(&form, &clean, options.with_personal);
    if options.with_personal {
        store
            .audit(&AuditEvent {
                id: Id::new(),
                at: Timestamp::now(),
                actor: None,
                action: AuditAction::ExportPersonalData,
                subject: format!("instrument:{}", instrument.id),
                detail: format!(
                    "{personal_total} colonnes personnelles exportées dans {}",
                    out.display()
                ),
            })
            .await?;
    } else if !left_out.is_empty() {
        println!(
            "  Colonnes de données personnelles laissées de côté ({}) : {}",
            left_out.len(),
            left_out.join(", ")
        );
    }
    let tags: Vec<Option<Vec<String>>> = tables
        .iter()
        .map(|t| options.hxl.then(|| hxl_tags(&form, &t.headers)))
        .collect();
    let is_xlsx = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_xlsx {
        let sheets: Vec<(&Table, Option<&[String]>)> = tables
            .iter()
            .zip(&tags)
            .map(|(t, h)| (t, h.as_deref()))
            .collect();
        write_data_sheets(out, &sheets)?;
        println!(
            "Écrit : {} ({} feuilles : les soumissions{})",
            out.display(),
            tables.len(),
            if tables.len() > 1 {
                ", puis une par répétition"
            } else {
                ""
            }
        );
        return Ok(());
    }
    write_table(out, &tables[0], tags[0].as_deref(), options.cells)?;
    println!("Écrit : {}", out.display());
    // CSV holds one table: each repeat's goes in a file beside it, named after it.
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for (table, tags) in tables.iter().zip(&tags).skip(1) {
        let path = out.with_file_name(format!(
            "{stem}-{}.csv",
            table.sheet.as_deref().unwrap_or("repetition")
        ));
        write_table(&path, table, tags.as_deref(), options.cells)?;
        println!(
            "Écrit : {} (répétition « {} », {} lignes)",
            path.display(),
            table.sheet.as_deref().unwrap_or(""),
            table.rows.len()
        );
    }
    Ok(())
}
