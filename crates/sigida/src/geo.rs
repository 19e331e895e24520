//! `sigida geo import`: a COD-AB list into the store, all or nothing.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use sigida_core::diagnostic::pcode_prefix;
use sigida_core::geography::check_hierarchy;
use sigida_core::instrument::ImportKind;
use sigida_core::{Id, Timestamp};
use sigida_formats::cod::{Country, read_cod};
use sigida_formats::table::read_tables_from_bytes;
use sigida_store::RawFile;

use crate::{Failure, Place};

pub async fn import(place: &Place, file: &Path, cod_version: Option<&str>) -> Result<(), Failure> {
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::Input(format!("{} : lecture impossible : {e}", file.display())))?;
    let store = place.open().await?;
    import_bytes(&store, file, &bytes, cod_version).await
}

/// A COD-AB file's bytes into the store, all or nothing: the one way admin units come in, by
/// `sigida geo import` or by the demo.
pub async fn import_bytes(
    store: &sigida_store::Store,
    file: &Path,
    bytes: &[u8],
    cod_version: Option<&str>,
) -> Result<(), Failure> {
    let tables = read_tables_from_bytes(&file.display().to_string(), bytes)?;
    let diagnostic = store.main_diagnostic().await?;
    let iso3 = diagnostic.country_iso3.to_ascii_uppercase();
    let country = pcode_prefix(&iso3).map(|prefix| Country {
        iso3: &iso3,
        prefix,
    });
    let list = read_cod(&tables, cod_version, country)?;
    for skipped in &list.skipped {
        eprintln!("attention : {}", crate::tr().format_error(skipped));
    }
    let mut tx = store.begin().await?;
    let mut known = Vec::new();
    let mut versions: Vec<&str> = list.units.iter().map(|u| u.cod_version.as_str()).collect();
    versions.sort_unstable();
    versions.dedup();
    for version in &versions {
        known.extend(tx.admin_unit_levels(version).await?);
    }
    check_hierarchy(&list.units, &known).map_err(|e| {
        Failure::Input(format!(
            "{} : {}",
            file.display(),
            crate::tr().refusal(&e.refusal())
        ))
    })?;
    let bar = ProgressBar::new(list.units.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("Import des unités administratives");
    let mut counts = sigida_store::AdminUnitCounts::default();
    for chunk in list.units.chunks(500) {
        let c = tx.upsert_admin_units(chunk).await?;
        counts.added += c.added;
        counts.updated += c.updated;
        counts.unchanged += c.unchanged;
        bar.inc(chunk.len() as u64);
    }
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::Geography,
            file_name: &file_name,
            bytes,
            record_count: list.units.len() as i64,
            problem_count: list.skipped.len() as i64,
            imported_by: None,
            at: Timestamp::now(),
        })
        .await?;
    tx.audit(&sigida_core::audit::AuditEvent {
        id: Id::new(),
        at: kept.import.imported_at,
        actor: None,
        action: sigida_core::audit::AuditAction::DataImported,
        subject: format!("import:{}", kept.import.id),
        detail: file_name.clone(),
    })
    .await?;
    tx.commit().await?;
    bar.finish_and_clear();
    println!(
        "{} : {} unités lues (versions COD {}) — {} ajoutées, {} mises à jour, {} inchangées ; {} lignes ignorées.",
        file.display(),
        list.units.len(),
        versions.join(", "),
        counts.added,
        counts.updated,
        counts.unchanged,
        list.skipped.len()
    );
    Ok(())
}
